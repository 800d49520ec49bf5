// The identity of a file (device and inode, owner, mode), for the trust anchors. A path is what a process or
// its mount namespace says; an inode is what the kernel executed or holds open. Comparing the inode behind
// /proc/<pid>/exe with the inode at the same path on the host tells a real Kata binary from a file that only
// sits at that path inside somebody's own mount namespace.
import { statSync } from 'node:fs';
import { stripDeleted } from './proc/exe-link.js';
import type { HostView } from './host-view.js';

export interface FileIdentity {
  dev: number;
  ino: number;
  uid: number;
  /** st_mode: type and permission bits. */
  mode: number;
}

/** The link of /proc/<pid>/ whose target's identity is asked for. */
export type ProcLink = 'exe' | 'cwd';

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;

export function isDirectory(identity: FileIdentity): boolean {
  return (identity.mode & S_IFMT) === S_IFDIR;
}

export function sameFile(a: FileIdentity, b: FileIdentity): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

/**
 * Reads identities through the rooted view. On a live procfs (the host's, or the host's mounted at /host) a stat
 * of /proc/<pid>/exe follows the kernel's magic link to the very inode the process runs, whatever mount
 * namespace it lives in. A fixture tree's links are plain symlinks holding a host path: there the target is
 * resolved under --path.rootfs, and a fixture may name the file really executed in `proc/<pid>/.exe-file`
 * (written by the fixture materialiser only; never read outside fixture mode).
 */
export class FileIdentities {
  private readonly hostCache = new Map<string, FileIdentity | null>();

  constructor(
    private readonly view: HostView,
    private readonly fixture: boolean,
  ) {}

  /** The identity of what /proc/<pid>/<link> points at, or undefined (the failure is recorded). */
  ofProcLink(pid: number, link: ProcLink, stage: string): FileIdentity | undefined {
    if (this.fixture) return this.ofFixtureLink(pid, link, stage);
    try {
      return identityOf(statSync(this.view.realPath('proc', `${pid}/${link}`)));
    } catch (error) {
      this.view.recordError(stage, 'proc', `${pid}/${link}`, error, { processFile: true });
      return undefined;
    }
  }

  /** The identity of a host path (resolved under --path.rootfs); null when there is nothing there. Cached per view. */
  ofHostPath(hostPath: string): FileIdentity | null {
    const cached = this.hostCache.get(hostPath);
    if (cached !== undefined) return cached;
    let identity: FileIdentity | null;
    try {
      identity = identityOf(statSync(this.view.realPath('root', hostPath)));
    } catch {
      identity = null;
    }
    this.hostCache.set(hostPath, identity);
    return identity;
  }

  private ofFixtureLink(pid: number, link: ProcLink, stage: string): FileIdentity | undefined {
    const named = link === 'exe' ? this.view.readText('proc', `${pid}/.exe-file`, { stage, optional: true }) : undefined;
    const target = named?.trim() || this.view.readLink('proc', `${pid}/${link}`, { stage, processFile: true });
    if (target === undefined) return undefined;
    return this.ofHostPath(stripDeleted(target)) ?? undefined;
  }
}

function identityOf(stat: { dev: number; ino: number; uid: number; mode: number }): FileIdentity {
  return { dev: stat.dev, ino: stat.ino, uid: stat.uid, mode: stat.mode };
}
