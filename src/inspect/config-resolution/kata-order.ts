// Which file a Kata shim loads, in each runtime's own order (reference 7.1, 7.2), and the drop-ins it applies:
// - Go (containerd-shim-v2 loadRuntimeConfig): the handler's ConfigPath, then KATA_CONF_FILE, then the first of
//   /etc/kata-containers/configuration.toml and <PREFIX>/share/defaults/kata-containers/configuration.toml
//   (PREFIX is where the shim is installed: /opt/kata[-<suffix>] under kata-deploy, /usr for make install);
// - runtime-rs (manager.rs load_config): KATA_CONF_FILE first, then ConfigPath, then the first existing of three
//   hard-coded paths (PREFIX-independent).
// Both resolve every symlink BEFORE they look for config.d/ next to the file (kata-deploy's configuration-<shim>.toml
// links into runtimes/<shim>/, whose config.d/ holds the debug and prefix drop-ins), then apply every entry of
// config.d in name order with no extension filter. A directory there breaks loading in both; runtime-rs also
// refuses a symlink entry (DirEntry::file_type does not follow links).
import path from 'node:path';
import { canonicalise, sortNames, type ConfigSource, type Problem } from './source.js';

export type KataRuntime = 'go' | 'rust';
export type ConfigSourceKind = 'environment' | 'handler-option' | 'default';

/** At most this many drop-ins per file are applied (kata-deploy writes five at most). */
export const MAX_DROP_INS = 32;

const GO_ETC = '/etc/kata-containers/configuration.toml';
export const RS_DEFAULTS = [
  '/etc/kata-containers/runtime-rs/configuration.toml',
  '/usr/share/defaults/kata-containers/runtime-rs/configuration.toml',
  '/opt/kata/share/defaults/kata-containers/runtime-rs/configuration.toml',
] as const;

/** `<dest>` of a shim binary: <dest>/bin/containerd-shim-kata-v2 (Go) or <dest>/runtime-rs/bin/... (RS). */
export function installDestOf(shimPath: string | null): string | null {
  const match = shimPath === null ? null : /^(\/.+?)\/(?:runtime-rs\/)?bin\/containerd-shim-kata(?:-[a-z0-9-]+)?-v2$/.exec(path.posix.normalize(shimPath));
  return match?.[1] ?? null;
}

export function runtimeOfShim(shimPath: string | null): KataRuntime | null {
  if (shimPath === null || !/containerd-shim-kata(-[a-z0-9-]+)?-v2$/.test(shimPath)) return null;
  return /\/runtime-rs\/bin\//.test(shimPath) ? 'rust' : 'go';
}

/** The compiled-in defaults of the runtime, in its order. */
export function defaultPaths(runtime: KataRuntime, shimPath: string | null): string[] {
  if (runtime === 'rust') return [...RS_DEFAULTS];
  const dest = installDestOf(shimPath);
  // A shim under /usr/bin or /usr/local/bin was built with PREFIX=/usr (make install).
  const prefix = dest === null || dest === '/usr' || dest === '/usr/local' ? '/usr' : dest;
  return [GO_ETC, `${prefix}/share/defaults/kata-containers/configuration.toml`];
}

export interface KataInputs {
  runtime: KataRuntime;
  shimPath: string | null;
  /** The handler's ConfigPath (containerd) or runtime_config_path (CRI-O). */
  configPath: string | null;
  /** KATA_CONF_FILE from the shim's environment, when a wrapper set it. */
  environment: string | null;
}

export interface KataResolution {
  /** The path Kata was given or found first, as written. */
  requested: string | null;
  /** That path with its symlinks resolved: the file read, and the directory whose config.d applies. */
  file: string | null;
  dropIns: string[];
  source: ConfigSourceKind | null;
  problems: Problem[];
}

function ordered(inputs: KataInputs): Array<{ path: string; source: ConfigSourceKind; explicit: boolean }> {
  const given: Array<{ path: string; source: ConfigSourceKind; explicit: boolean }> = [];
  const env = inputs.environment ? { path: inputs.environment, source: 'environment' as const, explicit: true } : null;
  const option = inputs.configPath ? { path: inputs.configPath, source: 'handler-option' as const, explicit: true } : null;
  for (const entry of inputs.runtime === 'rust' ? [env, option] : [option, env]) if (entry) given.push(entry);
  for (const file of defaultPaths(inputs.runtime, inputs.shimPath)) given.push({ path: file, source: 'default', explicit: false });
  return given;
}

/** The file one shim (or handler) loads with its drop-ins, or why it cannot be told. */
export function resolveKataConfig(source: ConfigSource, inputs: KataInputs): KataResolution {
  const problems: Problem[] = [];
  for (const candidate of ordered(inputs)) {
    if (!candidate.path.startsWith('/')) {
      // Both runtimes make it absolute against their own cwd (the bundle): not a path the host can name.
      problems.push({ path: candidate.path, code: 'E_UNRESOLVED', message: `${candidate.source} names a relative Kata configuration path` });
      return { requested: candidate.path, file: null, dropIns: [], source: candidate.source, problems };
    }
    const resolved = canonicalise(source, candidate.path);
    if ('problem' in resolved) {
      // A default that is absent is skipped; an absent file named explicitly is what the shim fails on.
      if (!candidate.explicit && resolved.code === 'E_MISSING') continue;
      problems.push({ path: candidate.path, code: 'E_UNRESOLVED', message: `Kata configuration (${candidate.source}) does not resolve: ${resolved.problem}` });
      return { requested: candidate.path, file: null, dropIns: [], source: candidate.source, problems };
    }
    const dropIns = dropInsOf(source, resolved.path, inputs.runtime, problems);
    return { requested: candidate.path, file: resolved.path, dropIns, source: candidate.source, problems };
  }
  problems.push({ path: defaultPaths(inputs.runtime, inputs.shimPath).join(', '), code: 'E_UNRESOLVED', message: `no Kata configuration: none of the ${inputs.runtime === 'rust' ? 'runtime-rs' : 'Go runtime'} default paths exists` });
  return { requested: null, file: null, dropIns: [], source: null, problems };
}

function dropInsOf(source: ConfigSource, file: string, runtime: KataRuntime, problems: Problem[]): string[] {
  const dir = path.posix.join(path.posix.dirname(file), 'config.d');
  const names = source.list(dir);
  if (names === null) return [];
  const out: string[] = [];
  for (const name of sortNames(names)) {
    const entry = `${dir}/${name}`;
    const kind = source.kind(entry);
    const refused = kind === 'dir' || kind === 'other' || (kind === 'symlink' && runtime === 'rust');
    if (refused) {
      problems.push({ path: entry, code: 'E_UNRESOLVED', message: `config.d entry is a ${kind === 'other' ? 'special file' : kind === 'dir' ? 'directory' : 'symlink'}: the ${runtime === 'rust' ? 'runtime-rs' : 'Go'} shim fails to load this configuration` });
      continue;
    }
    if (out.length >= MAX_DROP_INS) {
      problems.push({ path: dir, code: 'E_LIMIT', message: `more than ${MAX_DROP_INS} drop-ins; the rest were not read` });
      break;
    }
    if (kind !== null) out.push(entry);
  }
  return out;
}
