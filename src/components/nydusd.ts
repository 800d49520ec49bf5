// nydusd: the second implementation of the file-sharing role (`shared_fs = "virtio-fs-nydus"`), the vhost-user-fs
// backend that serves the shared tree and RAFS images (kata-4x-on-the-host.md §6). The shim starts it (Go and
// runtime-rs alike) as its child, as root with every capability, in the host's namespaces and without seccomp:
// it has no option to confine itself. It joins its sandbox by ancestry like virtiofsd; schema 1 gives it the
// role "virtiofsd" and VirtiofsState.daemon "nydusd".
import { nydusdOf } from '../argv/parsed-argv.js';
import type { ProcessComponent } from './types.js';

export const NYDUSD_PROCESS: ProcessComponent = {
  kind: 'nydusd',
  role: 'virtiofsd',
  vmm: null,
  recognisesComm: (comm) => comm === 'nydusd',
  executables: [
    '/opt/kata/libexec/nydusd',
    '/opt/kata-*/libexec/nydusd',
    '/opt/kata/bin/nydusd',
    '/usr/bin/nydusd',
    '/usr/local/bin/nydusd',
  ],
  claimedId: (argv) => nydusdOf(argv).sandboxId,
  daemonizedHostPaths: () => undefined,
  claimsTruncatedId: false,
  // Like virtiofsd's, its fds (sockets, guest RAM, RAFS blobs) name no device.
  fdsNameDevices: () => false,
};
