// What the resolvers may ask of the host's files. The resolvers are pure (no node:fs): the readers in src/host
// implement this over a HostView, so the same rules run on the live host, a mounted root and fixture trees.
import path from 'node:path';
import { compareCodeUnits } from '../../model/compare.js';
import type { ScanErrorCode } from '../../model/report.js';

export type { ConfigSource, EntryKind, ReadResult } from '../../host/config-source.js';
import type { ConfigSource } from '../../host/config-source.js';
import { MAX_LINKS, walkSymlinks } from '../../host/symlink-walk.js';

export interface Problem { path: string; code: ScanErrorCode; message: string }


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
