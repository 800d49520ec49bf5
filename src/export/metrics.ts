// Prometheus exposition of a Report. Families are "const metrics" (the node_exporter way): values are fixed
// when the report is rendered and nothing outlives the render, so no label set can go stale and concurrent
// scrapes cannot race on shared gauges. The daemon writes the text directly (exposition-text.ts, byte-identical
// to prom-client); renderMetrics keeps the prom-client Registry form, the reference the writer is tested against.
import { Counter, Gauge, Registry, type RegistryContentType } from 'prom-client';
import type { Report } from '../model/report.js';
import type { Family, Series } from './metric-family.js';
import { reportFamilies, unavailableFamilies, type MetricsOptions } from './report-families.js';
import { newRegistry, type AnyRegistry } from './prom-registry.js';
import type { SelfMetrics } from './self-metrics.js';
import { writeExposition } from './exposition-text.js';

export type { BuildInfo, MetricsOptions } from './report-families.js';

export const PROMETHEUS_CONTENT_TYPE: RegistryContentType = Registry.PROMETHEUS_CONTENT_TYPE;
export const OPENMETRICS_CONTENT_TYPE: RegistryContentType = Registry.OPENMETRICS_CONTENT_TYPE;

export interface ExpositionOptions extends MetricsOptions {
  /** The agent's own process metrics; left out of the textfile, where node_exporter has its own process_*. */
  self?: SelfMetrics;
}

type MetricObject = Awaited<ReturnType<Gauge['get']>>;

/** A gauge whose series are fixed at construction; prom-client's label hash map is never used. */
class ConstGauge extends Gauge<string> {
  constructor(private readonly family: Family, registry: AnyRegistry) {
    super({ name: family.name, help: family.help, labelNames: [...family.labelNames], registers: [registry] });
  }

  override async get(): Promise<MetricObject> {
    return constObject(this.family, nameOf(this));
  }
}

class ConstCounter extends Counter<string> {
  constructor(private readonly family: Family, registry: AnyRegistry) {
    super({ name: family.name, help: family.help, labelNames: [...family.labelNames], registers: [registry] });
  }

  override async get(): Promise<MetricObject> {
    return constObject(this.family, nameOf(this));
  }
}

/**
 * The name as prom-client holds it now: rendering OpenMetrics strips "_total" from a counter object's name
 * in place (and adds it back on the sample), so the family's own name would come out as "_total_total".
 */
function nameOf(metric: Gauge<string> | Counter<string>): string {
  return (metric as unknown as { name: string }).name;
}

function constObject(family: Family, name: string): MetricObject {
  const values: MetricObject['values'] = family.series.map((s: Series) => ({ labels: s.labels, value: s.value }));
  return { name, help: family.help, type: family.type as unknown as MetricObject["type"], aggregator: 'sum', values, collect() {} };
}

/** The registry for one scrape of a report (scan_success 1). */
export function renderMetrics(report: Report, options: MetricsOptions, contentType: RegistryContentType = PROMETHEUS_CONTENT_TYPE): AnyRegistry {
  return registryOf(reportFamilies(report, options), contentType);
}

/** The registry when the scan failed as a whole: build info, scan_success 0 and the scan counters. */
export function renderUnavailableMetrics(options: MetricsOptions, contentType: RegistryContentType = PROMETHEUS_CONTENT_TYPE): AnyRegistry {
  return registryOf(unavailableFamilies(options), contentType);
}

/** prom-client's form of `families`: the reference writeExposition is tested against. */
export function registryOf(families: readonly Family[], contentType: RegistryContentType): AnyRegistry {
  const registry = newRegistry(contentType);
  for (const family of families) {
    if (family.type === 'counter') new ConstCounter(family, registry);
    else new ConstGauge(family, registry);
  }
  return registry;
}

/**
 * The report's part of the exposition, per report and rendering options. Scrapes within --scan.min-interval
 * share one report, so they share its text too: at 250 sandboxes rendering is ~30 ms a scrape otherwise.
 */
const renderedReports = new WeakMap<Report, Map<string, string>>();

async function reportText(report: Report, options: MetricsOptions, contentType: RegistryContentType): Promise<string> {
  const key = JSON.stringify([contentType, options.perSandbox, options.scans ?? null, options.buildInfo, options.policyReloads ?? null]);
  let byOptions = renderedReports.get(report);
  const hit = byOptions?.get(key);
  if (hit !== undefined) return hit;
  const text = writeExposition(reportFamilies(report, options), contentType);
  if (!byOptions) {
    byOptions = new Map();
    renderedReports.set(report, byOptions);
  }
  if (byOptions.size > 8) byOptions.clear();
  byOptions.set(key, text);
  return text;
}

/** Exposition text of a report (or of a failed scan when `report` is null), plus the agent's own metrics. */
export async function renderExposition(report: Report | null, options: ExpositionOptions, contentType: RegistryContentType = PROMETHEUS_CONTENT_TYPE): Promise<string> {
  const own = report === null ? writeExposition(unavailableFamilies(options), contentType) : await reportText(report, options, contentType);
  if (!options.self) return own;
  const self = await options.self.registry(contentType).metrics();
  // The same text Registry.merge would give: prom-client joins families with a blank line (text format) or a
  // newline before the closing "# EOF" (OpenMetrics), so the two parts are spliced at that seam.
  return contentType === OPENMETRICS_CONTENT_TYPE ? `${own.slice(0, -'# EOF\n'.length)}${self}` : `${own}\n${self}`;
}

/**
 * OpenMetrics when the Accept header prefers it (Prometheus asks for it first), else the 0.0.4 text format,
 * which every scraper and `curl` reads.
 */
export function negotiateContentType(accept: string | undefined): RegistryContentType {
  if (accept === undefined) return PROMETHEUS_CONTENT_TYPE;
  let openMetrics = 0;
  let text = 0;
  for (const part of accept.split(',')) {
    const [mediaRange = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (!Number.isFinite(q)) continue;
    if (mediaRange === 'application/openmetrics-text') openMetrics = Math.max(openMetrics, q);
    else if (mediaRange === 'text/plain' || mediaRange === 'text/*' || mediaRange === '*/*') text = Math.max(text, q);
  }
  return openMetrics > 0 && openMetrics >= text ? OPENMETRICS_CONTENT_TYPE : PROMETHEUS_CONTENT_TYPE;
}
