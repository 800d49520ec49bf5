// virtiofsd: one implementation (C in QEMU up to 7.x, Rust since) of the file-sharing role, the vhost-user-fs
// backend that serves the sandbox's shared directory. The report's schema 1 names that role "virtiofsd";
// which program fills it is VirtiofsState.implementation.
import { virtiofsdOf } from '../argv/parsed-argv.js';
import type { ProcessComponent } from './types.js';

export const VIRTIOFSD_PROCESS: ProcessComponent = {
  kind: 'virtiofsd',
  role: 'virtiofsd',
  vmm: null,
  recognisesComm: (comm) => comm.startsWith('virtiofsd'),
  executables: [
    '/opt/kata/libexec/virtiofsd',
    '/opt/kata/libexec/kata-qemu/virtiofsd',
    '/opt/kata/bin/virtiofsd',
    '/usr/libexec/virtiofsd',
    '/usr/libexec/kata-qemu/virtiofsd',
    '/usr/lib/qemu/virtiofsd',
    '/usr/local/libexec/virtiofsd',
  ],
  claimedId: (argv, exe) => virtiofsdOf(argv, exe).sandboxId,
  daemonizedHostPaths: () => undefined,
  claimsTruncatedId: false,
  // Its fds (its socket, the guest RAM it maps) name no device: skipping the walk saves 14% of a scan's reads.
  fdsNameDevices: () => false,
  // The Go runtime puts Cloud Hypervisor's virtiofsd socket in /run/vc/vm/<id>/: a sandbox caught before its
  // VMM started (or after it died) is told by it.
  impliedVmm: (argv) => (argv.some((a) => a.includes('/run/vc/vm/') && a.includes('virtiofsd.sock')) ? 'cloud-hypervisor' : undefined),
};
