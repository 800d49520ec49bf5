// Two Kata shapes that break the usual "shim + VMM of the same uid under it" pattern, and the kernel-side
// facts that let them in without letting look-alikes in (kata-4x-on-the-host.md §9, §10).
import { isDirectory, type FileIdentity } from '../host/file-identity.js';
import type { HostView } from '../host/host-view.js';
import type { ProcStatus } from '../host/proc/status.js';
import type { TrustAnchors } from './anchors.js';

const STAGE = 'trust';
const MAX_PASSWD_BYTES = 1024 * 1024;

/** `useradd -M -s <nologin> kata-<0..99999> -c "\"Kata Containers temporary hypervisor user\""` (Go; RS 0..9999). */
const ROOTLESS_USER = /^kata-\d{1,5}$/;
const ROOTLESS_GECOS = 'Kata Containers temporary hypervisor user';

/** The user of `uid` in the host's /etc/passwd, when it has the shape Kata gives its throwaway VMM users. */
function isKataRootlessUser(view: HostView, uid: number): boolean {
  const passwd = view.readText('root', '/etc/passwd', { stage: STAGE, optional: true, maxBytes: MAX_PASSWD_BYTES });
  if (passwd === undefined) return false;
  for (const line of passwd.split('\n')) {
    const [name, , uidField, , gecos] = line.split(':');
    if (uidField !== String(uid)) continue;
    // The first entry for a uid is the one the kernel's users resolve to (getpwuid); a second one cannot vouch.
    return name !== undefined && ROOTLESS_USER.test(name) && (gecos ?? '').replace(/"/g, '') === ROOTLESS_GECOS;
  }
  return false;
}

/**
 * A daemonized QEMU (Go runtime <= 3.0, `rootless = true`) that runs as Kata's throwaway VMM user instead of
 * its shim's root. Trusted only when every fact Kata's rootless code produces holds at once: all four uids
 * are one non-root uid whose /etc/passwd entry (which only root can write) is a `kata-NNNNN` user with Kata's
 * comment; it has no effective capability (setuid from root without keep-caps); and its argv puts the claimed
 * sandbox's sockets in that uid's runtime directory (/run/user/<uid>/run/vc/vm/<SID>/). The caller has already
 * checked the executed file (the host's allowed QEMU) and the claimed id (a trusted shim's, no VMM yet).
 * An unprivileged user's QEMU fails the passwd shape: it cannot create such a user.
 */
export function isRootlessVmm(view: HostView, status: ProcStatus | null, argv: readonly string[], claimedId: string): boolean {
  if (status === null || status.uids.length !== 4) return false;
  const uid = status.uids[0]!;
  if (uid === 0 || status.uids.some((u) => u !== uid)) return false;
  if (status.capEff === null || !/^0+$/.test(status.capEff)) return false;
  const runtimeDir = `/run/user/${uid}/run/vc/vm/${claimedId}/`;
  if (!argv.some((arg) => arg.includes(runtimeDir))) return false;
  return isKataRootlessUser(view, uid);
}

/** cloud-api-adaptor's pods directory (DefaultPodsDir); the agent socket of each peer pod lives under it. */
const PEERPOD_PODS_DIR = '/run/peerpod/pods';

/**
 * A sandbox whose VM runs elsewhere (peer pods): a trusted shim, no local VMM, and cloud-api-adaptor's
 * per-pod directory for this sandbox id, which only root (CAA) creates. A shim-only sandbox without it is a
 * local sandbox caught before its VMM started (or after it died), as before.
 */
export function isRemoteSandbox(anchors: TrustAnchors, sandboxId: string): boolean {
  const dir = anchors.identities.ofHostPath(`${PEERPOD_PODS_DIR}/${sandboxId}`);
  return dir !== null && isDirectory(dir) && rootOwned(anchors, dir);
}

function rootOwned(anchors: TrustAnchors, dir: FileIdentity): boolean {
  const root = anchors.identities.ofHostPath('/');
  return root !== null && dir.uid === root.uid && (dir.mode & 0o022) === 0;
}
