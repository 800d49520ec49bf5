// The facts a shim's trust rests on, read through the kernel rather than taken from what a process says.
// See README.md#design-trust for what each anchor guarantees and what an attacker with which privilege can
// still do.
import { isDirectory, sameFile, type FileIdentities, type FileIdentity } from '../host/file-identity.js';
import type { HostView } from '../host/host-view.js';
import type { ProcStatus } from '../host/proc/status.js';
import type { BundleDirs } from './bundle-dirs.js';
import type { CandidateKind } from '../components/types.js';
import { stripDeleted } from '../host/proc/exe-link.js';
import type { ExecutableAllowList } from './trust.js';
import type { TrustReason } from '../model/trust-reason.js';

/** Why a process is not trusted (the list is the model's); 'unknown' verdicts carry no reason code. */
export type { TrustReason };

export type Verdict =
  | { trust: 'trusted'; bundle: string | null }
  | { trust: 'untrusted'; reason: TrustReason }
  | { trust: 'unknown'; cause: string };

export interface TrustAnchors {
  view: HostView;
  allowList: ExecutableAllowList;
  bundleDirs: BundleDirs;
  identities: FileIdentities;
}

const STAGE = 'trust';

/**
 * A Kata shim is trusted when all of these hold: its exe path is an allowed one AND the file it executes is
 * the host's file at that path (same device and inode); it runs as root (real, effective, saved and fs uid:
 * containerd and CRI-O start shims as root, also with a rootless VMM); it lives in the host pid namespace; and
 * its working directory is the very directory (same inode) the runtime created as the bundle of the id it
 * claims, owned by the owner of the host root and writable by nobody else. What cannot be read (no
 * CAP_SYS_PTRACE) makes the verdict unknown, never untrusted.
 */
export function judgeShim(anchors: TrustAnchors, pid: number, exe: string | null, claimedId: string, status: ProcStatus | null): Verdict {
  const pathVerdict = judgeExePath(anchors, 'shim', exe);
  if (pathVerdict) return pathVerdict;
  if (status === null) return { trust: 'unknown', cause: `/proc/${pid}/status cannot be read` };
  if (status.uids.length === 0 || status.uids.some((uid) => uid !== 0)) return { trust: 'untrusted', reason: 'shim-not-root' };
  if (!inHostPidNamespace(status)) return { trust: 'untrusted', reason: 'foreign-pid-namespace' };
  const exeVerdict = judgeExeIdentity(anchors, pid, exe!);
  if (exeVerdict) return exeVerdict;
  return judgeBundle(anchors, pid, claimedId);
}

/**
 * A VMM or jailer that joins a sandbox by the id it claims (the daemonized shapes, whose parent is init) must
 * run an allowed file that is the host's file at one of `hostPaths`.
 */
export function judgeDaemonized(anchors: TrustAnchors, pid: number, kind: CandidateKind, exe: string | null, hostPaths: readonly string[]): Verdict {
  const pathVerdict = judgeExePath(anchors, kind, exe);
  if (pathVerdict) return pathVerdict;
  const actual = anchors.identities.ofProcLink(pid, 'exe', STAGE);
  if (actual === undefined) return { trust: 'unknown', cause: `the file /proc/${pid}/exe runs cannot be identified` };
  for (const hostPath of hostPaths) {
    const expected = anchors.identities.ofHostPath(hostPath);
    if (expected !== null && sameFile(actual, expected)) return { trust: 'trusted', bundle: null };
  }
  return { trust: 'untrusted', reason: 'exe-mismatch' };
}

function judgeExePath(anchors: TrustAnchors, kind: CandidateKind, exe: string | null): Verdict | undefined {
  if (exe === null) return { trust: 'unknown', cause: 'the exe link cannot be read' };
  if (!anchors.allowList.allows(kind, exe)) return { trust: 'untrusted', reason: 'exe-not-allowed' };
  return undefined;
}

/** Undefined when the shim runs the host's file; a "(deleted)" binary is left for the bundle check to vouch for. */
function judgeExeIdentity(anchors: TrustAnchors, pid: number, exe: string): Verdict | undefined {
  const actual = anchors.identities.ofProcLink(pid, 'exe', STAGE);
  if (actual === undefined) return { trust: 'unknown', cause: `the file /proc/${pid}/exe runs cannot be identified` };
  const expected = anchors.identities.ofHostPath(stripDeleted(exe));
  if (expected !== null) return sameFile(actual, expected) ? undefined : { trust: 'untrusted', reason: 'exe-mismatch' };
  // An upgrade replaced the binary under a running shim: "(deleted)" with nothing (or a new file) at the path.
  // Only the bundle can vouch for such a shim then (judgeShim checks it next).
  return exe.endsWith(' (deleted)') ? undefined : { trust: 'untrusted', reason: 'exe-mismatch' };
}

function judgeBundle(anchors: TrustAnchors, pid: number, claimedId: string): Verdict {
  const cwd = anchors.view.readLink('proc', `${pid}/cwd`, { stage: STAGE, processFile: true });
  if (cwd === undefined) return { trust: 'unknown', cause: `/proc/${pid}/cwd cannot be read` };
  if (!anchors.bundleDirs.isBundleOf(cwd, claimedId)) return { trust: 'untrusted', reason: 'no-bundle' };
  const actual = anchors.identities.ofProcLink(pid, 'cwd', STAGE);
  if (actual === undefined) return { trust: 'unknown', cause: `the directory /proc/${pid}/cwd names cannot be identified` };
  const expected = anchors.identities.ofHostPath(cwd);
  if (expected === null || !sameFile(actual, expected) || !isRuntimeOwned(anchors, expected)) return { trust: 'untrusted', reason: 'no-bundle' };
  return { trust: 'trusted', bundle: cwd };
}

/** Owned by whoever owns the host root (root on a node; the test user on a fixture tree), writable by no one else. */
function isRuntimeOwned(anchors: TrustAnchors, dir: FileIdentity): boolean {
  const root = anchors.identities.ofHostPath('/');
  return root !== null && isDirectory(dir) && dir.uid === root.uid && (dir.mode & 0o022) === 0;
}

/**
 * NSpid lists one pid per nested pid namespace: one value means the host's (the agent's own) namespace. When
 * the agent itself runs in a child pid namespace without hostPID it sees nothing of Kata anyway. An unreadable
 * status is not evidence of a foreign namespace.
 */
export function inHostPidNamespace(status: ProcStatus | null): boolean {
  return (status?.nspid.length ?? 1) <= 1;
}

/** The pid in <bundle>/shim.pid (the shim library writes it), or undefined. */
export function bundleShimPid(view: HostView, bundle: string): number | undefined {
  const text = view.readText('root', `${bundle}/shim.pid`, { stage: STAGE, optional: true, maxBytes: 32 });
  const pid = text === undefined ? NaN : Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}
