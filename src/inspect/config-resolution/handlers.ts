// A container runtime's Kata runtime handlers (containerd's `runtimes.<name>`, CRI-O's `runtimes.<name>`), read
// from the merged configuration of the runtime: what each handler starts and which Kata file it hands over.
import type { ConfigSource, Problem } from './source.js';
import { MAX_TOML_BYTES, parseTomlTable, type Table } from './toml-table.js';

export interface RuntimeHandler {
  /** The handler (RuntimeClass handler) name, e.g. kata-qemu-runtime-rs. */
  name: string;
  cri: 'containerd' | 'cri-o';
  runtimeType: string | null;
  /** The shim binary the runtime starts (containerd runtime_path, CRI-O runtime_path), when set. */
  runtimePath: string | null;
  /** containerd options.ConfigPath, CRI-O runtime_config_path: the Kata file handed to the shim. */
  configPath: string | null;
  /** The file the handler's table was (last) defined in. */
  declaredIn: string;
}

export interface HandlerResolution { files: string[]; handlers: RuntimeHandler[]; problems: Problem[] }

/** kata-deploy's handlers and the hand-written ones: a Kata shim type or binary, or a kata-named handler. */
export function isKataHandler(handler: RuntimeHandler): boolean {
  if (handler.runtimeType !== null && /^io\.containerd\.kata[a-z0-9.-]*\.v2$/.test(handler.runtimeType)) return true;
  if (handler.runtimePath !== null && /containerd-shim-kata(-[a-z0-9-]+)?-v2$/.test(handler.runtimePath)) return true;
  return handler.cri === 'cri-o' && handler.runtimeType === 'vm' && /kata/.test(handler.name);
}

/** One configuration file read and parsed, or a problem (missing, too large, not a regular file, bad TOML). */
export function readTable(source: ConfigSource, file: string, optional: boolean, problems: Problem[]): Table | undefined {
  const read = source.readText(file, MAX_TOML_BYTES);
  if ('code' in read) {
    if (!(optional && read.code === 'E_MISSING') && !read.recorded) problems.push({ path: file, code: read.code, message: read.message });
    return undefined;
  }
  const parsed = parseTomlTable(read.text);
  if (typeof parsed === 'string') {
    problems.push({ path: file, code: 'E_MALFORMED', message: parsed });
    return undefined;
  }
  return parsed;
}
