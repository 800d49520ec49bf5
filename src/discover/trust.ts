import picomatch from 'picomatch';
import type { CandidateKind } from './roles.js';

/**
 * Executables Kata ships or distros install, by role. A process only counts as part of a sandbox when its
 * /proc/<pid>/exe matches one of these (or a --trust.exe-paths glob, or a path from the Kata configuration):
 * its name and argv are the workload's word, its exe is the kernel's.
 */
export const BUILTIN_ALLOWED_EXECUTABLES: Record<CandidateKind, readonly string[]> = {
  shim: [
    '/opt/kata/bin/containerd-shim-kata-v2',
    '/opt/kata/runtime-rs/bin/containerd-shim-kata-v2',
    '/usr/local/bin/containerd-shim-kata-v2',
    '/usr/bin/containerd-shim-kata-v2',
  ],
  qemu: [
    '/opt/kata/bin/qemu-system-*',
    '/usr/bin/qemu-system-*',
    '/usr/libexec/qemu-kvm',
    '/usr/libexec/qemu-kiwi',
  ],
  firecracker: [
    '/opt/kata/bin/firecracker*',
    '/usr/bin/firecracker',
    '/usr/local/bin/firecracker',
    // The jailer copies the binary into the jail and pivot_roots there, so the kernel shows the jail copy.
    '/run/vc/firecracker*/*/root/firecracker*',
    '/run/kata/firecracker*/*/root/firecracker*',
    '/firecracker',
  ],
  'cloud-hypervisor': ['/opt/kata/bin/cloud-hypervisor*', '/usr/bin/cloud-hypervisor', '/usr/local/bin/cloud-hypervisor'],
  jailer: ['/opt/kata/bin/jailer', '/usr/bin/jailer', '/usr/local/bin/jailer'],
  virtiofsd: [
    '/opt/kata/libexec/virtiofsd',
    '/opt/kata/libexec/kata-qemu/virtiofsd',
    '/opt/kata/bin/virtiofsd',
    '/usr/libexec/virtiofsd',
    '/usr/libexec/kata-qemu/virtiofsd',
    '/usr/lib/qemu/virtiofsd',
    '/usr/local/libexec/virtiofsd',
  ],
};

export class ExecutableAllowList {
  private readonly matchers: Map<CandidateKind, (path: string) => boolean>;
  private readonly extra: (path: string) => boolean;

  /** `extraGlobs` (flags and Kata configuration) are allowed for every role. */
  constructor(extraGlobs: readonly string[]) {
    this.matchers = new Map();
    for (const [kind, globs] of Object.entries(BUILTIN_ALLOWED_EXECUTABLES) as Array<[CandidateKind, readonly string[]]>) {
      this.matchers.set(kind, picomatch([...globs], { dot: true }));
    }
    this.extra = extraGlobs.length > 0 ? picomatch([...extraGlobs], { dot: true }) : () => false;
  }

  allows(kind: CandidateKind, exe: string | null): boolean {
    if (exe === null) return false;
    const path = stripDeleted(exe);
    return (this.matchers.get(kind)?.(path) ?? false) || this.extra(path);
  }
}

/** A binary replaced on disk while running reads "/path (deleted)": it is still that binary. */
export function stripDeleted(exe: string): string {
  return exe.endsWith(' (deleted)') ? exe.slice(0, -' (deleted)'.length) : exe;
}
