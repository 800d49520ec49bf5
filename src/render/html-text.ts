// Text into HTML and SVG. Every string from a report may be attacker-written (a look-alike picks its comm and
// argv, a pod its name, a host its paths), so it goes through safeText first: control characters and bidi
// overrides become visible escapes, so a name cannot reorder itself to read like another sandbox's id, and a
// standalone SVG file stays well-formed XML (XML 1.0 forbids most C0 controls). Then the five markup characters
// are escaped; attributes are always double-quoted here, and the same escapes are valid XML.
import { safeText } from './safe-text.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text and attribute escaping for HTML and SVG, after safeText. */
export function escapeHtml(value: unknown): string {
  return safeText(String(value ?? '')).replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/**
 * Catalogue prose (remediation, rationale) with its Markdown code spans as <code>: a run of N backticks opens a
 * span that the next run of exactly N backticks closes, as in CommonMark. An opening run without its closing
 * one stays literal text. Everything else is escaped, inside the spans too.
 */
export function renderCodeSpans(text: string): string {
  const out: string[] = [];
  let rest = text;
  for (;;) {
    const open = /`+/.exec(rest);
    if (open === null) break;
    const ticks = open[0];
    const after = rest.slice(open.index + ticks.length);
    const close = new RegExp(`(?<!\`)${ticks}(?!\`)`).exec(after);
    if (close === null) {
      out.push(escapeHtml(rest.slice(0, open.index + ticks.length)));
      rest = after;
      continue;
    }
    out.push(escapeHtml(rest.slice(0, open.index)), `<code>${escapeHtml(spanContent(after.slice(0, close.index)))}</code>`);
    rest = after.slice(close.index + ticks.length);
  }
  out.push(escapeHtml(rest));
  return out.join('');
}

/** CommonMark strips one space on each side when both are there (so `` `x` `` can show backticks). */
function spanContent(raw: string): string {
  return raw.length >= 2 && raw.startsWith(' ') && raw.endsWith(' ') && raw.trim() !== '' ? raw.slice(1, -1) : raw;
}

/** At most `max` code points, the last one an ellipsis when cut (SVG text does not wrap). */
export function truncate(text: string, max: number): string {
  const points = [...text];
  return points.length <= max ? text : `${points.slice(0, Math.max(1, max - 1)).join('')}…`;
}

/** The page of a rule (/rules/<ID>), as an attribute value. The id is encoded: a report's rule field is text. */
export function ruleHref(rule: string): string {
  return escapeHtml(`/rules/${encodeURIComponent(rule)}`);
}

/** Greedy word wrap to lines of at most `width` code points; a longer word is cut by truncate when drawn. */
export function wrapWords(value: string, width: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of value.split(' ').filter(Boolean)) {
    if (current === '') current = word;
    else if ([...current].length + 1 + [...word].length <= width) current += ` ${word}`;
    else {
      lines.push(current);
      current = word;
    }
  }
  if (current !== '') lines.push(current);
  return lines;
}
