// What the resolvers may ask of the host's files. The resolvers are pure (no node:fs): the readers in src/host
// implement this over a HostView, so the same rules run on the live host, a mounted root and fixture trees.
import path from 'node:path';
import { compareCodeUnits } from '../../model/compare.js';
import type { ScanErrorCode } from '../../model/report.js';

export type { ConfigSource, EntryKind, ReadResult } from '../../host/config-source.js';
import type { ConfigSource, ReadResult } from '../../host/config-source.js';
import { MAX_LINKS, walkSymlinks } from '../../host/symlink-walk.js';

export interface Problem { path: string; code: ScanErrorCode; message: string }

/**
 * The same source, each answer kept for the life of the wrapper (one reading of the configuration in one scan).
 * Every sandbox resolves its file through the same handful of paths (the shim's defaults, the handler's
 * ConfigPath, config.d): without it a node with 250 sandboxes walks and lstats them 250 times a scan, about 15% of
 * the scan. Within one reading the host's files are a snapshot anyway; a failure recorded by the first call is
 * recorded once, and later callers see `recorded` as before. It holds no more than the resolvers ask for, which
 * their own bounds limit (imports, globs, MAX_CONFIGS, MAX_DROP_INS).
 */
export function memoisedSource(source: ConfigSource): ConfigSource {
  const kinds = new Map<string, ReturnType<ConfigSource['kind']>>();
  const links = new Map<string, string | null>();
  const lists = new Map<string, string[] | null>();
  const texts = new Map<string, ReadResult>();
  const once = <T>(cache: Map<string, T>, key: string, read: () => T): T => {
    if (cache.has(key)) return cache.get(key)!;
    const value = read();
    cache.set(key, value);
    return value;
  };
  return {
    kind: (hostPath) => once(kinds, hostPath, () => source.kind(hostPath)),
    readLink: (hostPath) => once(links, hostPath, () => source.readLink(hostPath)),
    // A copy per caller: the resolvers sort and filter what they are given.
    list: (hostPath) => {
      const names = once(lists, hostPath, () => source.list(hostPath));
      return names === null ? null : [...names];
    },
    readText: (hostPath, maxBytes) => once(texts, `${maxBytes}:${hostPath}`, () => source.readText(hostPath, maxBytes)),
  };
}


/**
 * The path with every symlink resolved, as filepath.EvalSymlinks (Go) and fs::canonicalize (Rust) give it, in
 * host coordinates; or a reason when it loops, exceeds the link bound or a component is missing.
 */
export function canonicalise(source: ConfigSource, hostPath: string): { path: string } | { problem: string; code: ScanErrorCode } {
  const result = walkSymlinks(path.posix.resolve('/', hostPath), {
    isSymlink: (at) => {
      const kind = source.kind(at);
      return kind === null ? null : kind === 'symlink';
    },
    readLink: (at) => source.readLink(at),
  });
  if (result.ok) return { path: result.path };
  if (result.why === 'missing') return { problem: `${result.at} does not exist`, code: 'E_MISSING' };
  if (result.why === 'loop') return { problem: `more than ${MAX_LINKS} symlinks (a loop?) while resolving ${hostPath}`, code: 'E_UNRESOLVED' };
  return { problem: `${result.at} cannot be read as a symlink`, code: 'E_UNRESOLVED' };
}

/** Code-unit order (Go's sort.Strings, Rust's sort on String): never the locale's. */
export function sortNames(names: readonly string[]): string[] {
  return [...names].sort(compareCodeUnits);
}
