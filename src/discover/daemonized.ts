// The shapes that legitimately run outside their shim's process tree, and the host files they must execute.
// Kata 1.x/2.x start QEMU with -daemonize (it forks, its parent becomes init); the Go runtime's jailer with
// --daemonize forks Firecracker, which pivot_roots into <chroot-base>/firecracker/<id>/root, so its exe link
// reads "/firecracker" while the executed file is the jail's copy on the host (kata-on-the-host.md §3.3).
import path from 'node:path';
import type { CandidateKind } from './roles.js';
import { stripDeleted } from './trust.js';

/** Jail roots the Go runtime (/run/vc) and runtime-rs (/run/kata) use for Firecracker. */
const JAIL_BASES = ['/run/vc/firecracker', '/run/kata/firecracker'];

/**
 * The host paths whose file a daemonized process must execute, or undefined when the process is not of a
 * daemonized shape (and so must be a descendant of its shim to belong to a sandbox).
 */
export function daemonizedHostPaths(kind: CandidateKind, argv: readonly string[], exe: string | null, claimedId: string): string[] | undefined {
  const exePath = exe === null ? null : stripDeleted(exe);
  switch (kind) {
    case 'qemu':
      return argv.includes('-daemonize') || argv.includes('--daemonize') ? listed(exePath) : undefined;
    case 'jailer':
      return argv.includes('--daemonize') ? listed(exePath) : undefined;
    case 'firecracker': {
      // The jailer execs Firecracker with the start-time flags it adds; a Firecracker started otherwise is
      // the shim's child.
      if (!argv.includes('--start-time-us')) return undefined;
      const inJail = exePath === null ? [] : JAIL_BASES.map((base) => path.posix.join(base, claimedId, 'root', path.posix.basename(exePath)));
      return [...listed(exePath), ...inJail];
    }
    default:
      return undefined;
  }
}

function listed(exePath: string | null): string[] {
  return exePath === null ? [] : [exePath];
}
