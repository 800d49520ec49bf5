// Go's filepath.Glob as containerd applies it to `imports`: per path component, `*` any run of characters but
// '/', `?` one, `[...]` a class (`[^...]` negated), `\` escapes; hidden files match like any other (Go has no
// dotfile rule); matches in lexical order per directory. Bounded: an attacker-written `/*/*/*/*` may list at most
// MAX_LISTINGS directories and yield at most `maxMatches` paths.
import type { ConfigSource } from './source.js';
import { sortNames } from './source.js';

const MAX_LISTINGS = 64;

function hasMeta(component: string): boolean {
  return /[*?[\\]/.test(component);
}

/** One component pattern as an anchored RegExp, or null when Go would report ErrBadPattern. */
export function componentPattern(pattern: string): RegExp | null {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '\\') {
      const next = pattern[++i];
      if (next === undefined) return null;
      source += escape(next);
    } else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) return null;
      let body = pattern.slice(i + 1, end);
      const negated = body.startsWith('^');
      if (negated) body = body.slice(1);
      if (body === '') return null;
      source += `[${negated ? '^' : ''}${body.replace(/[\]\\^]/g, (m) => `\\${m}`)}]`;
      i = end;
    } else source += escape(c);
  }
  try {
    return new RegExp(`^${source}$`, 'u');
  } catch {
    return null;
  }
}

function escape(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, (m) => `\\${m}`);
}

export interface GlobResult { matches: string[]; truncated: boolean; badPattern: boolean }

/** Absolute, cleaned `pattern` expanded against the source. */
export function glob(source: ConfigSource, pattern: string, maxMatches: number): GlobResult {
  const parts = pattern.split('/').filter((p) => p !== '');
  let current = ['/'];
  let listings = 0;
  let truncated = false;
  for (const part of parts) {
    const next: string[] = [];
    const re = hasMeta(part) ? componentPattern(part) : null;
    if (hasMeta(part) && re === null) return { matches: [], truncated: false, badPattern: true };
    for (const dir of current) {
      const prefix = dir === '/' ? '' : dir;
      if (re === null) {
        next.push(`${prefix}/${part}`);
        continue;
      }
      if (++listings > MAX_LISTINGS) {
        truncated = true;
        break;
      }
      for (const name of sortNames(source.list(dir) ?? [])) if (re.test(name)) next.push(`${prefix}/${name}`);
    }
    if (next.length > maxMatches) truncated = true;
    current = next.slice(0, maxMatches);
  }
  // Literal components were not checked on the way: Glob returns only paths that exist.
  return { matches: current.filter((p) => source.kind(p) !== null), truncated, badPattern: false };
}
