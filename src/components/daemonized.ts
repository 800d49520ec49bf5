// Helpers for the shapes that legitimately run outside their shim's process tree (QEMU -daemonize, the jailer
// --daemonize and the Firecracker it execs): see each component's daemonizedHostPaths.
import { stripDeleted } from '../host/proc/exe-link.js';

/** The running file's host path as a one-element list, or none when the exe link cannot be read. */
export function exePathList(exe: string | null): string[] {
  return exe === null ? [] : [stripDeleted(exe)];
}

export function hasFlag(argv: readonly string[], ...flags: string[]): boolean {
  return flags.some((flag) => argv.includes(flag));
}
