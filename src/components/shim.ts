// The Kata shim (containerd-shim-kata-v2, Go runtime or runtime-rs): the process the container runtime starts
// for a sandbox, and the anchor of its trust (discover/anchors.ts).
import path from 'node:path';
import { looksLikeDragonball } from './dragonball-devices.js';
import type { ProcessComponent } from './types.js';

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

export const SHIM: ProcessComponent = {
  kind: 'shim',
  role: 'shim',
  vmm: null,
  // comm is cut to 15 characters: "containerd-shim" for every containerd shim, so argv[0] confirms it.
  recognisesComm: (comm) => comm.startsWith('containerd-shim'),
  confirmsArgv0: isKataShimArgv0,
  executables: [
    '/opt/kata/bin/containerd-shim-kata-v2',
    '/opt/kata/runtime-rs/bin/containerd-shim-kata-v2',
    '/usr/local/bin/containerd-shim-kata-v2',
    '/usr/bin/containerd-shim-kata-v2',
  ],
  claimedId: (argv) => shimSandboxId(argv),
  daemonizedHostPaths: () => undefined,
  claimsTruncatedId: false,
  // Only a shim that hosts Dragonball holds device fds of its own.
  fdsNameDevices: (threads) => looksLikeDragonball(threads.map((t) => t.comm ?? '')),
};
