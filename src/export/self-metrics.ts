// The agent's own process metrics (CPU, memory, fds, event loop, GC), from prom-client's default collectors.
// Those are direct instrumentation and live as long as the process, unlike the report families rebuilt per
// scrape. prom-client names three gauges *_total (nodejs_active_handles_total...), which `promtool check
// metrics` rejects, so every family that fails the lint is removed right after registration.
//
// One registry per content type: when prom-client renders OpenMetrics it renames counter objects in place
// (process_cpu_seconds_total -> process_cpu_seconds), which would then leak into a later text-format scrape
// if both formats shared the same metric objects.
import { collectDefaultMetrics, type RegistryContentType } from 'prom-client';
import { newRegistry, type AnyRegistry } from './prom-registry.js';
import { lintMetric } from './metric-lint.js';

export class SelfMetrics {
  private readonly registries = new Map<RegistryContentType, AnyRegistry>();
  /** Families removed because they fail the lint, for the startup log. */
  readonly dropped: string[] = [];

  registry(contentType: RegistryContentType): AnyRegistry {
    let registry = this.registries.get(contentType);
    if (registry === undefined) {
      registry = newRegistry(contentType);
      collectDefaultMetrics({ register: registry });
      for (const metric of registry.getMetricsAsArray()) {
        const problem = lintMetric(metric.name, String(metric.type), metric.help);
        if (problem !== null) {
          registry.removeSingleMetric(metric.name);
          if (!this.dropped.includes(metric.name)) this.dropped.push(metric.name);
        }
      }
      this.registries.set(contentType, registry);
    }
    return registry;
  }
}
