// A strict reader of the Prometheus text format (0.0.4) for assertions: label values are unescaped, so a test
// compares what Prometheus would store, not how the bytes look.
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface ParsedFamily {
  name: string;
  type: string;
  help: string;
  samples: Sample[];
}

export function parseExposition(text: string): Map<string, ParsedFamily> {
  const families = new Map<string, ParsedFamily>();
  const family = (name: string): ParsedFamily => {
    let f = families.get(name);
    if (f === undefined) {
      f = { name, type: 'untyped', help: '', samples: [] };
      families.set(name, f);
    }
    return f;
  };
  for (const line of text.split('\n')) {
    if (line === '' || line === '# EOF') continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      if (meta[1] === 'HELP') family(meta[2]!).help = meta[3]!;
      else family(meta[2]!).type = meta[3]!;
      continue;
    }
    if (line.startsWith('#')) continue;
    const sample = parseSample(line);
    const base = families.has(sample.name) ? sample.name : sample.name.replace(/_total$/, '');
    family(base).samples.push(sample);
  }
  return families;
}

function parseSample(line: string): Sample {
  const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0];
  if (!name) throw new Error(`not a sample line: ${line}`);
  let i = name.length;
  const labels: Record<string, string> = {};
  if (line[i] === '{') {
    i++;
    while (line[i] !== '}') {
      const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(i))?.[0];
      if (!labelName || line[i + labelName.length] !== '=' || line[i + labelName.length + 1] !== '"') throw new Error(`bad label at ${i} in ${line}`);
      i += labelName.length + 2;
      let value = '';
      for (;;) {
        const c = line[i];
        if (c === undefined) throw new Error(`unterminated label value in ${line}`);
        if (c === '"') break;
        if (c === '\\') {
          const next = line[i + 1];
          value += next === 'n' ? '\n' : next === '\\' ? '\\' : next === '"' ? '"' : `\\${next}`;
          i += 2;
        } else {
          value += c;
          i++;
        }
      }
      labels[labelName] = value;
      i++;
      if (line[i] === ',') i++;
    }
    i++;
  }
  const rest = line.slice(i).trim().split(' ');
  if (rest.length !== 1) throw new Error(`sample carries more than a value (a timestamp?): ${line}`);
  return { name, labels, value: Number(rest[0]) };
}

/** The value of the single sample of `name` matching `labels` (a subset), or undefined. */
export function valueOf(families: Map<string, ParsedFamily>, name: string, labels: Record<string, string> = {}): number | undefined {
  const matches = (families.get(name)?.samples ?? []).filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (matches.length > 1) throw new Error(`${matches.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return matches[0]?.value;
}
