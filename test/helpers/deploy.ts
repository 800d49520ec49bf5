// Shared bits of the deployment tests (test/deploy/*): where the repository is, running external tools with a
// time bound, and reading YAML/metric files.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { parse as parseYaml, parseAllDocuments } from 'yaml';

/** Repository root, whether this runs compiled (dist/test/helpers) or from source (test/helpers). */
export const ROOT = (() => {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const up of ['../..', '../../..']) {
    const candidate = path.resolve(here, up);
    if (existsSync(path.join(candidate, 'package.json')) && existsSync(path.join(candidate, 'tsconfig.json'))) return candidate;
  }
  throw new Error(`cannot find the repository root above ${here}`);
})();

export const repoPath = (...parts: string[]): string => path.join(ROOT, ...parts);

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** "cmd args..." for messages. */
  command: string;
}

/** Runs a command without a shell; never throws for a non-zero exit or a timeout (check `code`). */
export async function run(
  cmd: string,
  args: readonly string[],
  options: { timeoutMs?: number; input?: string; cwd?: string; env?: Record<string, string> } = {},
): Promise<RunResult> {
  const result = await execa(cmd, args, {
    reject: false,
    timeout: options.timeoutMs ?? 60_000,
    cwd: options.cwd ?? ROOT,
    stripFinalNewline: false,
    ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
    ...(options.env === undefined ? {} : { env: options.env }),
  });
  return {
    code: typeof result.exitCode === 'number' ? result.exitCode : -1,
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
    timedOut: Boolean(result.timedOut),
    command: [cmd, ...args].join(' '),
  };
}

/** Whether an executable is on PATH. */
export function onPath(name: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir !== '' && existsSync(path.join(dir, name)));
}

export function readYaml<T = unknown>(file: string): T {
  return parseYaml(readFileSync(file, 'utf8')) as T;
}

/** Every document of a (possibly multi-document) YAML file, with parse errors reported. */
export function readYamlDocuments(file: string): unknown[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
    return doc.toJS() as unknown;
  });
}

/** Metric names present in a Prometheus text exposition (sample names, HELP/TYPE names). */
export function metricNamesInExposition(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const meta = /^# (?:HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
    if (meta) {
      names.add(meta[1]!);
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/.exec(line);
    if (sample) names.add(sample[1]!);
  }
  return names;
}

/** The golden /metrics outputs of the fixture hosts (test/fixtures/hosts/<host>/metrics.golden.prom). */
export function goldenMetricFiles(): string[] {
  const dir = repoPath('test/fixtures/hosts');
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => path.join(dir, e.name, 'metrics.golden.prom'))
    .filter((f) => existsSync(f))
    .sort();
}

/**
 * Node-level aggregates the agent exports with --metrics.per-sandbox=false instead of the per-sandbox families.
 * The fixture goldens are produced with per-sandbox metrics on, so these names are accepted from this list.
 */
export const AGGREGATE_ONLY_METRICS = ['kata_audit_node_devices', 'kata_audit_node_findings'] as const;

/** Series Prometheus synthesises for every target: valid in expressions although no exporter emits them. */
export const SCRAPE_SYNTHETIC_METRICS = ['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_samples_post_metric_relabeling', 'scrape_series_added'] as const;

const PROMQL_KEYWORDS = new Set([
  'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset', 'atan2',
  'inf', 'nan', 'start', 'end',
]);

/**
 * Metric names a PromQL expression selects. A small lexer rather than a full parser: strings, label matchers
 * ({...}), ranges and subqueries ([...]), grouping lists (by/without/on/ignoring/group_left/group_right (...)) and
 * function or aggregation calls (a name followed by "(") are not metric names; every other identifier is.
 */
export function metricNamesInPromQL(expr: string): string[] {
  let s = expr.replace(/#[^\n]*/g, ' ');
  s = s.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
  s = s.replace(/\{[^}]*\}/g, ' ');
  s = s.replace(/\[[^\]]*\]/g, ' ');
  s = s.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  const identifier = /[a-zA-Z_:][a-zA-Z0-9_:]*/g;
  for (let m = identifier.exec(s); m !== null; m = identifier.exec(s)) {
    const name = m[0];
    const before = s[m.index - 1];
    if (before !== undefined && /[0-9.]/.test(before)) continue; // a number's exponent or a duration suffix (5m, 1e3)
    const rest = s.slice(m.index + name.length);
    if (/^\s*\(/.test(rest)) continue; // function or aggregation
    if (PROMQL_KEYWORDS.has(name.toLowerCase())) continue;
    names.add(name);
  }
  return [...names].sort();
}

/** The metric families of the metrics contract (the daemon's issue, "Metrics"): alerts and dashboards may use these. */
export const METRICS_CONTRACT = [
  'kata_audit_build_info', 'kata_audit_node_info', 'kata_audit_sandboxes', 'kata_audit_sandbox_info',
  'kata_audit_sandbox_devices', 'kata_audit_sandbox_hotplug_enabled', 'kata_audit_sandbox_exposure_score',
  'kata_audit_process_seccomp_mode', 'kata_audit_process_threads_without_seccomp', 'kata_audit_process_shared_namespaces',
  'kata_audit_process_running_as_root', 'kata_audit_process_effective_capabilities', 'kata_audit_virtiofs_info',
  'kata_audit_virtiofs_dax_enabled', 'kata_audit_kernel_module_loaded', 'kata_audit_iommu_enabled',
  'kata_audit_vfio_unsafe_interrupts_enabled', 'kata_audit_vfio_noiommu_enabled', 'kata_audit_vfio_device_info',
  'kata_audit_vfio_group_viable', 'kata_audit_cpu_vulnerability_info', 'kata_audit_finding', 'kata_audit_findings',
  'kata_audit_scan_duration_seconds', 'kata_audit_scan_success', 'kata_audit_last_scan_timestamp_seconds',
  'kata_audit_scan_errors', 'kata_audit_collector_success', 'kata_audit_collector_duration_seconds',
  'kata_audit_sandboxes_omitted', 'kata_audit_untrusted_omitted',
  // With a --policy.file only (docs/policy.md).
  'kata_audit_acknowledgement_expiry_timestamp_seconds', 'kata_audit_acknowledgement_findings',
  'kata_audit_policy_last_reload_success', 'kata_audit_policy_reload_failures_total',
  ...AGGREGATE_ONLY_METRICS,
] as const;

/** yamllint settings for the deployment YAML (the repository has no .yamllint of its own). */
export const YAMLLINT_CONFIG = '{extends: default, rules: {line-length: {max: 140, level: warning}, document-start: disable, comments: {min-spaces-from-content: 1}, truthy: {check-keys: false}}}';
