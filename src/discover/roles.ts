import path from 'node:path';

export type CandidateKind = 'shim' | 'qemu' | 'firecracker' | 'cloud-hypervisor' | 'jailer' | 'virtiofsd';

/**
 * The cheap filter: which comm values deserve a deeper look. comm is cut to 15 characters by the kernel
 * ("containerd-shim" for every containerd shim, "cloud-hyperviso"), so shims are confirmed from argv later.
 */
export function candidateKindOfComm(comm: string): CandidateKind | undefined {
  if (comm === 'containerd-shim' || comm.startsWith('containerd-shim')) return 'shim';
  if (comm.startsWith('qemu')) return 'qemu';
  if (comm.startsWith('firecracker')) return 'firecracker';
  if (comm.startsWith('cloud-hyperviso')) return 'cloud-hypervisor';
  if (comm === 'jailer') return 'jailer';
  if (comm.startsWith('virtiofsd')) return 'virtiofsd';
  return undefined;
}

/** The Kata shim binary: containerd-shim-kata-v2, and the legacy kata-deploy names containerd-shim-kata-<x>-v2. */
const KATA_SHIM = /^containerd-shim-kata(-[a-z0-9-]+)?-v2$/;

export function isKataShimArgv0(argv0: string | undefined): boolean {
  return argv0 !== undefined && KATA_SHIM.test(path.basename(argv0));
}

/** `-id <SID>` from a shim's argv (the Go shim puts it last, runtime-rs first). */
export function shimSandboxId(argv: readonly string[]): string | undefined {
  for (let i = 1; i < argv.length - 1; i++) {
    if (argv[i] === '-id' || argv[i] === '--id') return argv[i + 1];
  }
  const inline = argv.find((a) => a.startsWith('-id=') || a.startsWith('--id='));
  return inline?.slice(inline.indexOf('=') + 1);
}

/** Go or runtime-rs shim, from the exe path and argv order (runtime-rs passes -id first). */
export function shimRuntime(exe: string | null, argv: readonly string[]): 'go' | 'rust' | 'unknown' {
  if (exe?.includes('/runtime-rs/')) return 'rust';
  if (argv[1] === '-id') return 'rust';
  if (argv.includes('-namespace')) return 'go';
  return 'unknown';
}

const DRAGONBALL_THREAD = /^(vmm_master|db_vcpu\d*|blk_iothread_q\d*)$/;

export function isDragonballThread(comm: string | null): boolean {
  return comm !== null && DRAGONBALL_THREAD.test(comm);
}
