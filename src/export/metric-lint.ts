// The naming rules `promtool check metrics` enforces, as a function: the agent drops its own process metrics
// that break them (prom-client names some gauges *_total), and tests check every family of the contract
// against them without spawning promtool for each case. The real promtool runs in the tests too.

const NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Units promtool wants in base form (seconds, bytes, ratio...). */
const NON_BASE_UNITS = /_(milliseconds|microseconds|nanoseconds|minutes|hours|days|weeks|years|kilobytes|megabytes|gigabytes|terabytes|kibibytes|mebibytes|gibibytes|percent|percentage|celsius|fahrenheit|millis|micros|nanos)(_|$)/;
const HISTOGRAM_SUFFIX = /_(bucket|count|sum)$/;

export type LintedType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped' | string;

/** Why a family breaks the Prometheus naming rules, or null when it passes. */
export function lintMetric(name: string, type: LintedType, help: string): string | null {
  if (!NAME.test(name)) return 'name must match [a-zA-Z_][a-zA-Z0-9_]* (colons are for recording rules)';
  if (/[a-z][A-Z]/.test(name)) return 'name must be snake_case, not camelCase';
  if (help.trim() === '') return 'HELP is empty';
  if (type === 'counter' && !name.endsWith('_total')) return 'counter names end in _total';
  if (type !== 'counter' && name.endsWith('_total')) return 'only counters end in _total';
  if (type !== 'histogram' && type !== 'summary' && HISTOGRAM_SUFFIX.test(name)) return '_bucket, _count and _sum are reserved for histograms and summaries';
  const unit = NON_BASE_UNITS.exec(name);
  if (unit) return `use base units, not ${unit[1]}`;
  if (/_(gauge|counter|histogram|summary)(_|$)/.test(name)) return 'the metric type does not belong in the name';
  return null;
}
