// The report's families written straight to exposition text, byte for byte what prom-client's
// Registry.metrics() gives for the same const metrics (lib/registry.js of prom-client 15: escaping, value
// formatting, the "_total" handling of OpenMetrics counters, the separators). Building a Registry of
// Gauge/Counter objects per scrape, then an object per sample and a label array per sample, cost ~40 ms at
// 250 sandboxes; this is one pass over the families. test/export/exposition-text.test.ts compares the two on
// the sample report and on generated hostile label values, so a prom-client upgrade that changes the format
// fails there. The agent's own metrics still go through prom-client (its default collectors).
import { Registry, type RegistryContentType } from 'prom-client';
import type { Family } from './metric-family.js';

const OPENMETRICS: RegistryContentType = Registry.OPENMETRICS_CONTENT_TYPE;

/** prom-client's escapeString: backslash, then newline. */
function escapeString(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** prom-client's escapeLabelValue: escapeString, then the double quote. */
function escapeLabelValue(text: string): string {
  return escapeString(text).replace(/"/g, '\\"');
}

/** prom-client's getValueAsString (it writes NaN as "Nan"). */
function valueText(value: number): string {
  if (Number.isNaN(value)) return 'Nan';
  if (!Number.isFinite(value)) return value < 0 ? '-Inf' : '+Inf';
  return `${value}`;
}

/**
 * Label values repeat across families (every per-sandbox family carries the sandbox id): their escaped form is
 * computed once per render. The map lives for one call, so it is bounded by the report's own strings.
 */
class LabelEscaper {
  private readonly seen = new Map<string, string>();

  escape(value: string): string {
    let escaped = this.seen.get(value);
    if (escaped === undefined) {
      escaped = /[\\\n"]/.test(value) ? escapeLabelValue(value) : value;
      this.seen.set(value, escaped);
    }
    return escaped;
  }
}

function familyText(family: Family, openMetrics: boolean, escaper: LabelEscaper): string {
  // OpenMetrics: prom-client strips "_total" from a counter's name for HELP/TYPE and adds it to every sample.
  const counterOm = openMetrics && family.type === 'counter';
  const name = escapeString(counterOm ? family.name.replace(/_total$/, '') : family.name);
  const sampleName = counterOm ? `${name}_total` : name;
  let out = `# HELP ${name} ${escapeString(family.help)}\n# TYPE ${name} ${family.type}`;
  for (const series of family.series) {
    let labels = '';
    // Object order, as prom-client's Object.entries: the builder fills labels in labelNames order.
    for (const key in series.labels) {
      labels += `${labels === '' ? '' : ','}${key}="${escaper.escape(series.labels[key]!)}"`;
    }
    out += `\n${sampleName}${labels === '' ? '' : `{${labels}}`} ${valueText(series.value)}`;
  }
  return out;
}

/** The exposition of `families` in registration order, as Registry.metrics() renders them. */
export function writeExposition(families: readonly Family[], contentType: RegistryContentType): string {
  const openMetrics = contentType === OPENMETRICS;
  const escaper = new LabelEscaper();
  const parts = families.map((family) => familyText(family, openMetrics, escaper));
  return openMetrics ? `${parts.join('\n')}\n# EOF\n` : `${parts.join('\n\n')}\n`;
}
