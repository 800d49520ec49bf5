// What the resolvers may ask of the host's files. The resolvers are pure (no node:fs): the readers in src/host
// implement this over a HostView, so the same rules run on the live host, a mounted root and fixture trees.
import path from 'node:path';
import { compareCodeUnits } from '../../model/compare.js';
import type { ScanErrorCode } from '../../model/report.js';

export type { ConfigSource, EntryKind, ReadResult } from '../../host/config-source.js';
import type { ConfigSource } from '../../host/config-source.js';

export interface Problem { path: string; code: ScanErrorCode; message: string }

/** The kernel's own bound on symlinks followed in one lookup. */
const MAX_LINKS = 40;

/**
 * The path with every symlink resolved, as filepath.EvalSymlinks (Go) and fs::canonicalize (Rust) give it, in
 * host coordinates; or a reason when it loops, exceeds the link bound or a component is missing.
 */
export function canonicalise(source: ConfigSource, hostPath: string): { path: string } | { problem: string; code: ScanErrorCode } {
  const pending = path.posix.resolve('/', hostPath).split('/').filter((part) => part !== '' && part !== '.');
  const resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const candidate = `/${[...resolved, part].join('/')}`;
    const kind = source.kind(candidate);
    if (kind === null) return { problem: `${candidate} does not exist`, code: 'E_MISSING' };
    if (kind !== 'symlink') {
      resolved.push(part);
      continue;
    }
    if (++links > MAX_LINKS) return { problem: `more than ${MAX_LINKS} symlinks (a loop?) while resolving ${hostPath}`, code: 'E_UNRESOLVED' };
    const target = source.readLink(candidate);
    if (target === null) return { problem: `${candidate} cannot be read as a symlink`, code: 'E_UNRESOLVED' };
    if (target.startsWith('/')) resolved.length = 0;
    pending.unshift(...target.split('/').filter((p) => p !== '' && p !== '.'));
  }
  return { path: `/${resolved.join('/')}` };
}

/** Code-unit order (Go's sort.Strings, Rust's sort on String): never the locale's. */
export function sortNames(names: readonly string[]): string[] {
  return [...names].sort(compareCodeUnits);
}
