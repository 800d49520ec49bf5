// CRI-O's configuration as it loads it (pkg/config UpdateFromFile, UpdateFromPath): /etc/crio/crio.conf, then
// every regular file under /etc/crio/crio.conf.d in lexical order of the walk (kata-deploy's 99-kata-deploy has
// no .toml extension, and any name counts), later files overriding earlier ones. A Kata handler is a
// `[crio.runtime.runtimes.<name>]` table; runtime_config_path is only honoured with runtime_type = "vm".
import { isKataHandler, readTable, type HandlerResolution, type RuntimeHandler } from './handlers.js';
import { sortNames, type ConfigSource, type Problem } from './source.js';
import { isTable, mergeInto, stringAt, tableAt, type Table } from './toml-table.js';

export const CRIO_CONFIG = '/etc/crio/crio.conf';
export const CRIO_DROP_IN_DIR = '/etc/crio/crio.conf.d';
const MAX_CRIO_FILES = 32;
const MAX_WALK_DEPTH = 4;

/** filepath.Walk order: names sorted, a directory's contents where its name sorts. */
function dropInFiles(source: ConfigSource, dir: string, depth: number, out: string[], problems: Problem[]): void {
  for (const name of sortNames(source.list(dir) ?? [])) {
    if (out.length >= MAX_CRIO_FILES) {
      problems.push({ path: dir, code: 'E_LIMIT', message: `more than ${MAX_CRIO_FILES} CRI-O drop-ins; the rest were not read` });
      return;
    }
    const file = `${dir}/${name}`;
    const kind = source.kind(file);
    if (kind === 'dir' && depth < MAX_WALK_DEPTH) dropInFiles(source, file, depth + 1, out, problems);
    else if (kind === 'file') out.push(file);
  }
}

export function resolveCrio(source: ConfigSource, main: string = CRIO_CONFIG, dropInDir: string = CRIO_DROP_IN_DIR): HandlerResolution {
  const problems: Problem[] = [];
  const candidates = [main];
  dropInFiles(source, dropInDir, 0, candidates, problems);
  const files: string[] = [];
  const runtimes = new Map<string, { table: Table; file: string }>();
  for (const file of candidates) {
    const table = readTable(source, file, file === main, problems);
    if (table === undefined) continue;
    files.push(file);
    for (const [name, value] of Object.entries(tableAt(table, 'crio', 'runtime', 'runtimes') ?? {})) {
      if (!isTable(value)) continue;
      const known = runtimes.get(name);
      if (known === undefined) runtimes.set(name, { table: Object.assign({}, value), file });
      else {
        mergeInto(known.table, value);
        known.file = file;
      }
    }
  }
  const handlers: RuntimeHandler[] = [];
  for (const [name, { table, file }] of runtimes) {
    const runtimeType = stringAt(table, 'runtime_type');
    const handler: RuntimeHandler = {
      name,
      cri: 'cri-o',
      runtimeType,
      runtimePath: stringAt(table, 'runtime_path'),
      configPath: runtimeType === 'vm' ? stringAt(table, 'runtime_config_path') : null,
      declaredIn: file,
    };
    if (isKataHandler(handler)) handlers.push(handler);
  }
  return { files, handlers, problems };
}
