// A strict line parser for the Prometheus text exposition format (0.0.4) and OpenMetrics 1.0 text, written
// from the format documents: every line is a `# HELP`, `# TYPE` (or OpenMetrics `# UNIT`, `# EOF`) comment
// or a sample `name{label="value",...} value [timestamp]`. Label values may hold only the escapes \\, \"
// and \n; a raw newline, an unescaped quote or a stray brace therefore breaks the line and is reported.
// The benchmark counts series with it; the hostile-host test uses it to prove that nothing a workload puts
// into /proc reaches a label unescaped.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
  line: number;
}

export interface ParsedExposition {
  samples: Sample[];
  /** Metric names declared by `# TYPE`, with their type. */
  types: Map<string, string>;
  /** Metric names declared by `# HELP`, with their (escaped) text. */
  helps: Map<string, string>;
  /** One message per line that does not parse. */
  errors: string[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped', 'unknown', 'info', 'stateset', 'gaugehistogram']);

export function parseExposition(text: string): ParsedExposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const helps = new Map<string, string>();
  const errors: string[] = [];
  const lines = text.split('\n');
  // The text ends with a newline, so the last element is empty; any other empty line is allowed in 0.0.4.
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((line, index) => {
    const n = index + 1;
    if (line === '') return;
    if (line.startsWith('#')) {
      const problem = checkComment(line, types, helps);
      if (problem) errors.push(`line ${n}: ${problem}: ${preview(line)}`);
      return;
    }
    const parsed = parseSample(line);
    if (typeof parsed === 'string') errors.push(`line ${n}: ${parsed}: ${preview(line)}`);
    else samples.push({ ...parsed, line: n });
  });
  return { samples, types, helps, errors };
}

function preview(line: string): string {
  return JSON.stringify(line.length > 160 ? `${line.slice(0, 160)}...` : line);
}

function checkComment(line: string, types: Map<string, string>, helps: Map<string, string>): string | null {
  if (line === '# EOF') return null;
  const match = /^# (HELP|TYPE|UNIT) (\S+)(?: (.*))?$/.exec(line);
  if (!match) return line.startsWith('# ') ? null : 'comment without a space after #'; // other comments are free text
  const [, keyword, name, rest] = match;
  if (!METRIC_NAME.test(name!)) return `invalid metric name in ${keyword}`;
  if (keyword === 'TYPE') {
    if (!TYPES.has(rest ?? '')) return `unknown type ${rest}`;
    types.set(name!, rest!);
  }
  if (keyword === 'HELP' && rest !== undefined && /\\(?![\\n"])/.test(rest)) return 'invalid escape in HELP';
  if (keyword === 'HELP') helps.set(name!, rest ?? '');
  return null;
}

function parseSample(line: string): Omit<Sample, 'line'> | string {
  let i = 0;
  while (i < line.length && /[a-zA-Z0-9_:]/.test(line[i]!)) i++;
  const name = line.slice(0, i);
  if (!METRIC_NAME.test(name)) return 'invalid metric name';
  const labels: Record<string, string> = {};
  if (line[i] === '{') {
    i++;
    for (;;) {
      if (line[i] === '}') {
        i++;
        break;
      }
      let j = i;
      while (j < line.length && /[a-zA-Z0-9_]/.test(line[j]!)) j++;
      const labelName = line.slice(i, j);
      if (!LABEL_NAME.test(labelName)) return 'invalid label name';
      if (line[j] !== '=' || line[j + 1] !== '"') return `label ${labelName} is not followed by ="`;
      j += 2;
      let value = '';
      for (;;) {
        const c = line[j];
        if (c === undefined) return `unterminated value of label ${labelName}`;
        if (c === '"') break;
        if (c === '\\') {
          const next = line[j + 1];
          if (next === '\\') value += '\\';
          else if (next === '"') value += '"';
          else if (next === 'n') value += '\n';
          else return `invalid escape \\${next ?? ''} in label ${labelName}`;
          j += 2;
          continue;
        }
        value += c;
        j++;
      }
      if (labelName in labels) return `duplicate label ${labelName}`;
      labels[labelName] = value;
      i = j + 1;
      if (line[i] === ',') {
        i++;
        continue;
      }
      if (line[i] !== '}') return `expected , or } after label ${labelName}`;
    }
  }
  if (line[i] !== ' ') return 'expected a space before the value';
  const rest = line.slice(i + 1).split(' ');
  if (rest.length > 2) return 'trailing fields after the value';
  const value = parseValue(rest[0] ?? '');
  if (value === null) return `invalid value ${rest[0]}`;
  if (rest[1] !== undefined && !/^-?\d+(\.\d+)?$/.test(rest[1])) return `invalid timestamp ${rest[1]}`;
  return { name, labels, value };
}

/**
 * Values as Go's strconv.ParseFloat reads them (the 0.0.4 format's definition), which is case-insensitive
 * for NaN and Inf: prom-client writes "Nan" for an empty event-loop-lag summary, and Prometheus accepts it.
 */
function parseValue(text: string): number | null {
  const lower = text.toLowerCase();
  if (lower === '+inf' || lower === 'inf' || lower === '+infinity' || lower === 'infinity') return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  if (lower === 'nan') return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return null;
  return Number(text);
}

/** Series counts: total, those carrying a non-empty sandbox_id, and per sandbox id. */
export function seriesCounts(samples: readonly Sample[]): { total: number; node: number; bySandbox: Map<string, number> } {
  const bySandbox = new Map<string, number>();
  let node = 0;
  for (const s of samples) {
    const id = s.labels.sandbox_id;
    if (id === undefined || id === '') node++;
    else bySandbox.set(id, (bySandbox.get(id) ?? 0) + 1);
  }
  return { total: samples.length, node, bySandbox };
}

export interface ParsedFamily {
  name: string;
  type: string;
  help: string;
  samples: Sample[];
}

/**
 * The exposition by metric family, for assertions; a line that does not parse throws. Counter samples
 * (`<name>_total`) belong to the family `<name>` when it is declared.
 */
export function parseFamilies(text: string): Map<string, ParsedFamily> {
  const parsed = parseExposition(text);
  if (parsed.errors.length > 0) throw new Error(`exposition does not parse:\n${parsed.errors.join('\n')}`);
  const families = new Map<string, ParsedFamily>();
  const family = (name: string): ParsedFamily => {
    let f = families.get(name);
    if (f === undefined) {
      f = { name, type: parsed.types.get(name) ?? 'untyped', help: parsed.helps.get(name) ?? '', samples: [] };
      families.set(name, f);
    }
    return f;
  };
  for (const name of new Set([...parsed.helps.keys(), ...parsed.types.keys()])) family(name);
  for (const sample of parsed.samples) {
    const base = families.has(sample.name) ? sample.name : sample.name.replace(/_total$/, '');
    family(base).samples.push(sample);
  }
  return families;
}

/** The value of the single sample of `name` matching `labels` (a subset), or undefined. */
export function valueOf(families: Map<string, ParsedFamily>, name: string, labels: Record<string, string> = {}): number | undefined {
  const matches = (families.get(name)?.samples ?? []).filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (matches.length > 1) throw new Error(`${matches.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return matches[0]?.value;
}
