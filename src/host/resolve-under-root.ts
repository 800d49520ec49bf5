import { lstatSync, readlinkSync } from 'node:fs';
import path from 'node:path';

import { walkSymlinks } from './symlink-walk.js';

/**
 * Resolves a host path under a root directory the way a chroot would: an absolute symlink target (common for
 * /etc/kata-containers/configuration.toml -> /opt/kata/share/...) restarts from the root, not from the agent's
 * own /, and ".." never climbs above the root. Only the last missing component may be absent; the result is
 * then the path where it would be. Without this, a host mounted at /host would have its absolute links
 * resolved inside the agent's container: the wrong file, or no file.
 */
export function resolveUnderRoot(root: string, hostPath: string): string {
  const result = walkSymlinks(hostPath, {
    isSymlink: (at) => {
      try {
        return lstatSync(path.join(root, at)).isSymbolicLink();
      } catch {
        return null;
      }
    },
    readLink: (at) => readlinkSync(path.join(root, at)),
  });
  if (result.ok) return result.path === '/' ? path.join(root) : path.join(root, result.path);
  // Missing, or past the link bound: keep the rest as it is, so that the caller's open() reports ENOENT (or
  // ELOOP) on the right path.
  return path.join(root, ...result.resolved, ...result.rest);
}

/**
 * resolveUnderRoot with the directories already resolved remembered, for one scan: 250 bundle paths under
 * /run/containerd/io.containerd.runtime.v2.task/k8s.io/ share all but their last two components, so each read
 * then costs one or two lstat calls instead of one per component.
 */
export class RootResolver {
  private readonly dirs = new Map<string, string>();

  constructor(private readonly root: string) {
    this.dirs.set('/', root);
  }

  /** `hostPath` must be absolute and normalised (no "." or ".." components). */
  resolve(hostPath: string): string {
    const cached = this.dirs.get(hostPath);
    if (cached !== undefined) return cached;
    const slash = hostPath.lastIndexOf('/');
    const parent = slash <= 0 ? '/' : hostPath.slice(0, slash);
    const realParent = this.resolveDirectory(parent);
    const candidate = `${realParent === '/' ? '' : realParent}/${hostPath.slice(slash + 1)}`;
    try {
      if (!lstatSync(candidate).isSymbolicLink()) return candidate;
    } catch {
      return candidate; // missing: the caller's open() reports it on this path
    }
    // A symlink: the slow, exact walk (its target may be absolute and must restart from the root).
    return resolveUnderRoot(this.root, `${parent === '/' ? '' : parent}/${hostPath.slice(slash + 1)}`);
  }

  private resolveDirectory(dir: string): string {
    let real = this.dirs.get(dir);
    if (real === undefined) {
      real = this.resolve(dir);
      this.dirs.set(dir, real);
    }
    return real;
  }
}
