// TOML as every configuration reader here needs it: a size cap before the parser sees a byte, a depth bound,
// dangerous keys (__proto__) dropped, and a document that is not a table refused. Every file read through this
// may be written by whoever can write under /etc or /opt, so errors never quote content (line and column only).
import { parse, TomlError } from 'smol-toml';

export type Table = Record<string, unknown>;

/** A configuration file larger than this is not parsed at all (Kata's and containerd's are a few tens of KiB). */
export const MAX_TOML_BYTES = 1024 * 1024;
const MAX_DEPTH = 64;

export function isTable(value: unknown): value is Table {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** Whether any value sits deeper than `max` levels, walked without recursion. */
function depthExceeds(root: unknown, max: number): boolean {
  const pending: Array<[unknown, number]> = [[root, 0]];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const [node, depth] = item;
    if (typeof node !== 'object' || node === null || node instanceof Date) continue;
    if (depth > max) return true;
    for (const value of Object.values(node)) pending.push([value, depth + 1]);
  }
  return false;
}

/** TOML text to a table, or an error message that quotes no content. */
export function parseTomlTable(text: string): Table | string {
  if (text.length > MAX_TOML_BYTES) return `larger than ${MAX_TOML_BYTES} bytes; not parsed`;
  try {
    const table: unknown = parse(text, { unsafeKeyBehaviour: 'drop', maxDepth: MAX_DEPTH });
    if (!isTable(table)) return 'not a TOML table';
    // maxDepth bounds nested tables and arrays, not dotted keys (a.b.c... = 1): check the result itself.
    return depthExceeds(table, MAX_DEPTH) ? `tables nested deeper than ${MAX_DEPTH} levels` : table;
  } catch (error) {
    if (error instanceof TomlError) {
      const headline = error.message.split('\n')[0] ?? 'invalid TOML';
      return `${headline} (line ${error.line}, column ${error.column})`;
    }
    return 'invalid TOML';
  }
}

/**
 * Tables merge, anything else is replaced: how Kata applies its drop-ins and how containerd 2.x merges an
 * import (mergo WithOverride on the plugin maps). Iterative, so that no nesting can overflow the stack.
 */
export function mergeInto(target: Table, source: Table): void {
  const pending: Array<[Table, Table]> = [[target, source]];
  for (let pair = pending.pop(); pair !== undefined; pair = pending.pop()) {
    const [into, from] = pair;
    for (const [key, value] of Object.entries(from)) {
      const existing = into[key];
      if (isTable(existing) && isTable(value)) pending.push([existing, value]);
      else into[key] = isTable(value) ? structuredCloneTable(value) : value;
    }
  }
}

/** A table copied so that a later merge into the result never writes into the file it came from. */
function structuredCloneTable(table: Table): Table {
  const copy: Table = {};
  mergeInto(copy, table);
  return copy;
}

/** `table.a.b.c` when every step is a table, else undefined. */
export function tableAt(root: unknown, ...keys: string[]): Table | undefined {
  let node: unknown = root;
  for (const key of keys) {
    if (!isTable(node) || !Object.hasOwn(node, key)) return undefined;
    node = node[key];
  }
  return isTable(node) ? node : undefined;
}

export function stringAt(table: Table | undefined, key: string): string | null {
  const value = table !== undefined && Object.hasOwn(table, key) ? table[key] : undefined;
  return typeof value === 'string' ? value : null;
}
