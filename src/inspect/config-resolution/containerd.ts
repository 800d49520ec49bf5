// containerd's configuration as containerd itself loads it (core config LoadConfigWithPlugins / resolveImports /
// mergeConfig): the main file, then each `imports` entry breadth-first, a file already loaded skipped (cycles),
// relative entries joined to the importing file's directory before a `*` makes them a glob, every file's
// plugin tables merged over what came before. Each file is migrated from its own `version` (none counts as the
// oldest): containerd 2.x moves "cri" (version 1) to "io.containerd.grpc.v1.cri" (version 2) and that to
// "io.containerd.cri.v1.runtime" (version 3) and leaves a table already under the newest id alone, so a drop-in
// without `version` (as kata-deploy writes them) still counts under any of the three. A drop-in with a higher
// version than the main file makes containerd refuse to start. (containerd 1.x reads only its own id; a handler
// under the 2.x id on a 1.x node is reported too: over-reporting beats a silent miss.)
import path from 'node:path';
import { glob } from './glob.js';
import { isKataHandler, readTable, type HandlerResolution, type RuntimeHandler } from './handlers.js';
import { canonicalise, type ConfigSource, type Problem } from './source.js';
import { isTable, mergeInto, stringAt, tableAt, type Table } from './toml-table.js';

export const CONTAINERD_CONFIG = '/etc/containerd/config.toml';

/** Every file may be attacker-written: at most this many files, this deep an import chain, this many glob matches. */
export const MAX_CONTAINERD_FILES = 32;
export const MAX_IMPORT_DEPTH = 8;
const MAX_GLOB_MATCHES = 32;

function versionOf(table: Table): number {
  const v = table['version'];
  const n = typeof v === 'bigint' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : 0;
}

/** The plugin ids whose runtimes end up under io.containerd.cri.v1.runtime after migrating from `version`, oldest first. */
function pluginIdsOf(version: number): string[] {
  const ids: string[] = [];
  if (version < 2) ids.push('cri');
  if (version < 3) ids.push('io.containerd.grpc.v1.cri');
  ids.push('io.containerd.cri.v1.runtime');
  return ids;
}

/** Import entries resolved as resolveImports does, each expanded glob bounded. */
function importsOf(source: ConfigSource, file: string, table: Table, problems: Problem[]): string[] {
  const raw = table['imports'];
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    problems.push({ path: file, code: 'E_MALFORMED', message: 'imports is not an array; containerd refuses this file' });
    return [];
  }
  const out: string[] = [];
  for (const entry of raw.slice(0, MAX_CONTAINERD_FILES)) {
    if (typeof entry !== 'string' || entry === '') continue;
    const joined = path.posix.resolve(path.posix.dirname(file), entry);
    if (!joined.includes('*')) {
      out.push(joined);
      continue;
    }
    const result = glob(source, joined, MAX_GLOB_MATCHES);
    if (result.badPattern) problems.push({ path: file, code: 'E_MALFORMED', message: `import pattern ${JSON.stringify(entry)} is not a valid glob` });
    if (result.truncated) problems.push({ path: file, code: 'E_LIMIT', message: `import pattern ${JSON.stringify(entry)} matches too much; only the first ${MAX_GLOB_MATCHES} were read` });
    out.push(...result.matches);
  }
  return out;
}

function handlersOf(table: Table): Table {
  const merged: Table = {};
  for (const id of pluginIdsOf(versionOf(table))) {
    const runtimes = tableAt(table, 'plugins', id, 'containerd', 'runtimes');
    if (runtimes !== undefined) mergeInto(merged, runtimes);
  }
  return merged;
}

/** The main file and its imports, in load order, with each handler's merged table and the file that set it last. */
function loadAll(source: ConfigSource, main: string, problems: Problem[]): { files: string[]; runtimes: Map<string, { table: Table; file: string }> } {
  const files: string[] = [];
  const seen = new Set<string>();
  const runtimes = new Map<string, { table: Table; file: string }>();
  const pending: Array<{ file: string; depth: number }> = [{ file: main, depth: 0 }];
  let rootVersion = 0;
  for (let item = pending.shift(); item !== undefined; item = pending.shift()) {
    // containerd dedups by the path string; the canonical path also stops a cycle spelled through symlinks.
    const canonical = canonicalise(source, item.file);
    const identity = 'path' in canonical ? canonical.path : item.file;
    if (seen.has(item.file) || seen.has(identity)) continue;
    seen.add(item.file).add(identity);
    if (files.length >= MAX_CONTAINERD_FILES) {
      problems.push({ path: item.file, code: 'E_LIMIT', message: `more than ${MAX_CONTAINERD_FILES} containerd configuration files; the rest were not read` });
      break;
    }
    const table = readTable(source, item.file, item.depth === 0, problems);
    if (table === undefined) continue;
    if (files.length === 0) rootVersion = versionOf(table);
    else if (versionOf(table) > rootVersion) {
      problems.push({ path: item.file, code: 'E_MALFORMED', message: `drop-in version ${versionOf(table)} is higher than the main file's ${rootVersion}: containerd refuses to start` });
    }
    files.push(item.file);
    for (const [name, value] of Object.entries(handlersOf(table))) {
      if (!isTable(value)) continue;
      const known = runtimes.get(name);
      if (known === undefined) runtimes.set(name, { table: structured(value), file: item.file });
      else {
        mergeInto(known.table, value);
        known.file = item.file;
      }
    }
    const imports = importsOf(source, item.file, table, problems);
    if (imports.length > 0 && item.depth >= MAX_IMPORT_DEPTH) {
      problems.push({ path: item.file, code: 'E_LIMIT', message: `imports nested deeper than ${MAX_IMPORT_DEPTH} files; not followed` });
      continue;
    }
    for (const file of imports) pending.push({ file, depth: item.depth + 1 });
  }
  return { files, runtimes };
}

function structured(table: Table): Table {
  const copy: Table = {};
  mergeInto(copy, table);
  return copy;
}

/** containerd's Kata runtime handlers from its main configuration file and everything it imports. */
export function resolveContainerd(source: ConfigSource, main: string = CONTAINERD_CONFIG): HandlerResolution {
  const problems: Problem[] = [];
  const { files, runtimes } = loadAll(source, main, problems);
  const handlers: RuntimeHandler[] = [];
  for (const [name, { table, file }] of runtimes) {
    const handler: RuntimeHandler = {
      name,
      cri: 'containerd',
      runtimeType: stringAt(table, 'runtime_type'),
      runtimePath: stringAt(table, 'runtime_path'),
      configPath: stringAt(tableAt(table, 'options'), 'ConfigPath'),
      declaredIn: file,
    };
    if (isKataHandler(handler)) handlers.push(handler);
  }
  return { files, handlers, problems };
}
