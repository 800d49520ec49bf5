// Vector selectors and range selectors of a PromQL expression, for the dashboard-linter rules
// (test/deploy/grafana-lint.test.ts). A small scanner, not a parser: strings, label matchers, ranges, grouping lists
// and calls are told apart well enough for the queries a dashboard holds; promtool (grafana.test.ts) checks that
// every expression parses at all.

export interface LabelMatcher {
  name: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

export interface VectorSelector {
  metric: string | null;
  matchers: LabelMatcher[];
  /** As written, for messages. */
  text: string;
}

export interface RangeSelector {
  /** What is inside the brackets: "5m", "$__rate_interval", "1h:5m". */
  duration: string;
  subquery: boolean;
  /** The function whose argument list directly holds the range ("rate"), or null outside any call. */
  call: string | null;
}

const AGGREGATIONS = new Set(['sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile', 'limitk', 'limit_ratio']);
const GROUPING = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const KEYWORDS = new Set(['bool', 'and', 'or', 'unless', 'offset', 'atan2', 'inf', 'nan', 'start', 'end']);
const MATCHER = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')\s*,?/y;

function skipString(expr: string, at: number): number {
  const quote = expr[at]!;
  let i = at + 1;
  while (i < expr.length && expr[i] !== quote) i += expr[i] === '\\' && quote !== '`' ? 2 : 1;
  return i + 1;
}

/** The matchers of the `{...}` starting at `at`, and the index after its `}`. */
function matchersAt(expr: string, at: number): { matchers: LabelMatcher[]; end: number } {
  const matchers: LabelMatcher[] = [];
  let i = at + 1;
  for (;;) {
    MATCHER.lastIndex = i;
    const m = MATCHER.exec(expr);
    if (!m) break;
    const raw = m[3]!;
    const value = raw.startsWith('"') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
    matchers.push({ name: m[1]!, op: m[2] as LabelMatcher['op'], value });
    i = MATCHER.lastIndex;
  }
  const close = expr.indexOf('}', i);
  if (close === -1) throw new Error(`unclosed label matchers in ${expr}`);
  if (expr.slice(i, close).trim() !== '') throw new Error(`cannot read the label matchers "${expr.slice(at, close + 1)}"`);
  return { matchers, end: close + 1 };
}

/** Every vector selector: `name`, `name{...}` or `{...}`. */
export function promqlSelectors(expr: string): VectorSelector[] {
  const out: VectorSelector[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i]!;
    if (c === '"' || c === "'" || c === '`') {
      i = skipString(expr, i);
    } else if (c === '[') {
      i = expr.indexOf(']', i) + 1;
    } else if (c === '{') {
      const { matchers, end } = matchersAt(expr, i);
      out.push({ metric: null, matchers, text: expr.slice(i, end) });
      i = end;
    } else if (/[a-zA-Z_:]/.test(c)) {
      const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(expr.slice(i))![0];
      const after = i + name.length;
      const next = after + /^\s*/.exec(expr.slice(after))![0].length;
      if (GROUPING.has(name) && expr[next] === '(') i = expr.indexOf(')', next) + 1;
      else if (KEYWORDS.has(name) || AGGREGATIONS.has(name) || GROUPING.has(name) || expr[next] === '(') i = after;
      else if (expr[next] === '{') {
        const { matchers, end } = matchersAt(expr, next);
        out.push({ metric: name, matchers, text: expr.slice(i, end) });
        i = end;
      } else {
        out.push({ metric: name, matchers: [], text: name });
        i = after;
      }
    } else if (/[0-9.]/.test(c)) {
      i += /^[0-9.]+(?:e[+-]?\d+)?[a-zA-Z]*/.exec(expr.slice(i))![0].length;
    } else {
      i++;
    }
  }
  return out;
}

/** Every `[...]` range or subquery, with the function call that directly encloses it. */
export function promqlRanges(expr: string): RangeSelector[] {
  const out: RangeSelector[] = [];
  const calls: Array<string | null> = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i]!;
    if (c === '"' || c === "'" || c === '`') {
      i = skipString(expr, i);
      continue;
    }
    if (c === '{') {
      i = matchersAt(expr, i).end;
      continue;
    }
    if (c === '(') {
      const before = /([a-zA-Z_][a-zA-Z0-9_]*)\s*$/.exec(expr.slice(0, i))?.[1];
      calls.push(before !== undefined && !GROUPING.has(before) && !AGGREGATIONS.has(before) && !KEYWORDS.has(before) ? before : null);
    } else if (c === ')') {
      calls.pop();
    } else if (c === '[') {
      const close = expr.indexOf(']', i);
      const duration = expr.slice(i + 1, close).trim();
      out.push({ duration, subquery: duration.includes(':'), call: calls.at(-1) ?? null });
      i = close + 1;
      continue;
    }
    i++;
  }
  return out;
}
