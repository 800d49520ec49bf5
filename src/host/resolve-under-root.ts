import { lstatSync, readlinkSync } from 'node:fs';
import path from 'node:path';

const MAX_LINKS = 40; // the kernel's own bound on symlinks followed in one lookup

/**
 * Resolves a host path under a root directory the way a chroot would: an absolute symlink target (common for
 * /etc/kata-containers/configuration.toml -> /opt/kata/share/...) restarts from the root, not from the agent's
 * own /, and ".." never climbs above the root. Only the last missing component may be absent; the result is
 * then the path where it would be. Without this, a host mounted at /host would have its absolute links
 * resolved inside the agent's container: the wrong file, or no file.
 */
export function resolveUnderRoot(root: string, hostPath: string): string {
  const pending = hostPath.split('/').filter((part) => part !== '' && part !== '.');
  const resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const candidate = path.join(root, ...resolved, part);
    let isLink = false;
    try {
      isLink = lstatSync(candidate).isSymbolicLink();
    } catch {
      // Missing: keep the rest as it is, so that the caller's open() reports ENOENT on the right path.
      return path.join(root, ...resolved, part, ...pending);
    }
    if (!isLink) {
      resolved.push(part);
      continue;
    }
    if (++links > MAX_LINKS) return path.join(root, ...resolved, part, ...pending);
    const target = readlinkSync(candidate);
    const targetParts = target.split('/').filter((p) => p !== '' && p !== '.');
    if (target.startsWith('/')) resolved.length = 0;
    pending.unshift(...targetParts);
  }
  return path.join(root, ...resolved);
}
