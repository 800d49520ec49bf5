// One symlink walk for every resolver that cannot use realpath(3) because the host is mounted somewhere else
// (--path.rootfs) or seen through a ConfigSource: components one by one, an absolute target restarts from the
// host's /, ".." never climbs above it, at most the kernel's 40 links. Pure: the caller says what each host path
// is, so the same walk serves the reader under a root (resolve-under-root.ts) and the configuration resolvers.

/** The kernel's own bound on symlinks followed in one lookup (MAXSYMLINKS). */
export const MAX_LINKS = 40;

export interface WalkLookup {
  /** Whether the entry at this host path is a symlink; null when there is no such entry. */
  isSymlink(hostPath: string): boolean | null;
  /** The link's target, or null when it cannot be read. */
  readLink(hostPath: string): string | null;
}

/** Where the walk ended: the resolved host path, or where and why it stopped (with what was left to walk). */
export type WalkResult =
  | { ok: true; path: string }
  | { ok: false; why: 'missing' | 'loop' | 'unreadable'; at: string; resolved: string[]; rest: string[] };

const parts = (value: string): string[] => value.split('/').filter((part) => part !== '' && part !== '.');

export function walkSymlinks(hostPath: string, lookup: WalkLookup): WalkResult {
  const pending = parts(hostPath);
  const resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const candidate = `/${[...resolved, part].join('/')}`;
    const stop = (why: 'missing' | 'loop' | 'unreadable'): WalkResult => ({ ok: false, why, at: candidate, resolved, rest: [part, ...pending] });
    const isLink = lookup.isSymlink(candidate);
    if (isLink === null) return stop('missing');
    if (!isLink) {
      resolved.push(part);
      continue;
    }
    if (++links > MAX_LINKS) return stop('loop');
    const target = lookup.readLink(candidate);
    if (target === null) return stop('unreadable');
    if (target.startsWith('/')) resolved.length = 0;
    pending.unshift(...parts(target));
  }
  return { ok: true, path: `/${resolved.join('/')}` };
}
