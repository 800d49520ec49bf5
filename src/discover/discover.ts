import type { HostView } from '../host/host-view.js';
import type { ProcStat } from '../host/proc/stat.js';
import type { ProcessRole, VmmKind } from '../report/types.js';
import { claimedSandboxId, isFirecrackerShortId } from './claimed-id.js';
import { readIdentity, readProcessFacts, readStatus, type ProcessCache, type ProcessFacts, type StableFacts } from './process-facts.js';
import { ancestorsOf, type ProcessTable } from './process-table.js';
import { candidateKindOfComm, isDragonballThread, isKataShimArgv0, shimRuntime, type CandidateKind } from './roles.js';
import type { ExecutableAllowList } from './trust.js';

/** Listed look-alike sandboxes at most; the rest are counted. A workload must not be able to flood the report. */
export const MAX_UNTRUSTED_SANDBOXES = 16;

/** Stable reason codes for a sandbox that is not trusted (the rules match on them). */
export type TrustReason = 'exe-not-allowed' | 'no-shim' | 'foreign-pid-namespace' | 'uid-mismatch';

export interface Member {
  facts: ProcessFacts;
  kind: CandidateKind;
  role: ProcessRole;
  exeAllowed: boolean;
}

export interface DiscoveredSandbox {
  id: string;
  vmm: VmmKind;
  trusted: boolean;
  trustReasons: TrustReason[];
  runtime: 'go' | 'rust' | 'unknown';
  shim: Member | null;
  members: Member[];
}

export interface Discovery {
  sandboxes: DiscoveredSandbox[];
  candidates: number;
  untrustedOmitted: number;
}

interface Candidate {
  stat: ProcStat;
  kind: CandidateKind;
  stable: StableFacts;
  argv: string[];
  exe: string | null;
  exeAllowed: boolean;
  claimedId: string | undefined;
}

const ROLE_OF: Record<CandidateKind, ProcessRole> = {
  shim: 'shim',
  qemu: 'vmm',
  firecracker: 'vmm',
  'cloud-hypervisor': 'vmm',
  jailer: 'jailer',
  virtiofsd: 'virtiofsd',
};

/**
 * Groups Kata processes into sandboxes. Trust comes from what the kernel says, not from names: the exe must be
 * on the allowed list, the process must sit in the host pid namespace, and it must be tied to a live, trusted
 * Kata shim, by ancestry (Kata >= 3.1, CLH, Firecracker without --daemonize, virtiofsd) or, for the daemonized
 * shapes whose parent is init (QEMU in Kata 1.x/2.x, Firecracker forked by a newer jailer), by the same sandbox
 * id and the same uid as that shim. Everything else is a look-alike and never merges into a trusted sandbox.
 */
export function discoverSandboxes(
  view: HostView,
  table: ProcessTable,
  allowList: ExecutableAllowList,
  cache: ProcessCache | undefined,
): Discovery {
  const candidates = pickCandidates(view, table, allowList, cache);

  // Trusted shims first: everything else is judged relative to them.
  const shimsByPid = new Map<number, Member & { id: string }>();
  const shimsById = new Map<string, Member & { id: string }>();
  const untrusted = new Map<string, { id: string; reasons: TrustReason[]; members: Member[] }>();
  let untrustedOmitted = 0;
  let deepUntrusted = 0;

  const addUntrusted = (candidate: Candidate, id: string, reason: TrustReason): void => {
    const key = `${reason}\0${id}`;
    let group = untrusted.get(key);
    if (!group) {
      if (untrusted.size >= MAX_UNTRUSTED_SANDBOXES) {
        untrustedOmitted++;
        return;
      }
      group = { id, reasons: [reason], members: [] };
      untrusted.set(key, group);
    }
    // Look-alikes get a shallow read (status only) once the cap of deep reads is reached: cost stays bounded.
    const facts = deepUntrusted++ < MAX_UNTRUSTED_SANDBOXES * 4 ? readProcessFacts(view, candidate.stat, candidate.stable) : shallowFacts(view, candidate);
    group.members.push({ facts, kind: candidate.kind, role: ROLE_OF[candidate.kind], exeAllowed: candidate.exeAllowed });
  };

  for (const candidate of candidates) {
    if (candidate.kind !== 'shim' || candidate.claimedId === undefined) continue;
    const id = candidate.claimedId;
    if (!candidate.exeAllowed) {
      addUntrusted(candidate, id, 'exe-not-allowed');
      continue;
    }
    const facts = readProcessFacts(view, candidate.stat, candidate.stable, (threads) => threads.some((t) => isDragonballThread(t.comm)));
    if (!inHostPidNamespace(facts)) {
      untrustedFromFacts(untrusted, facts, candidate, id, 'foreign-pid-namespace', () => untrustedOmitted++);
      continue;
    }
    if (shimsById.has(id)) {
      view.errors.add('discover', `/proc/${candidate.stat.pid}`, 'E_INVALID_ID', `a second Kata shim claims sandbox id ${id}; it was left out`);
      continue;
    }
    const member = { facts, kind: candidate.kind, role: 'shim' as const, exeAllowed: true, id };
    shimsByPid.set(candidate.stat.pid, member);
    shimsById.set(id, member);
  }

  const joined = new Map<string, Member[]>();
  for (const candidate of candidates) {
    if (candidate.kind === 'shim') continue;
    const shimAncestor = ancestorsOf(table, candidate.stat.pid).map((pid) => shimsByPid.get(pid)).find((s) => s !== undefined);
    const byId = candidate.claimedId === undefined ? undefined : findShimById(shimsById, candidate.claimedId, candidate.kind);
    const shim = shimAncestor ?? byId;
    const id = shim?.id ?? candidate.claimedId;
    if (id === undefined) continue; // not Kata-shaped: a libvirt guest, a developer's QEMU
    // An exe that cannot be read (recorded as an error) is no evidence against a process under a trusted
    // shim: nothing but Kata spawns there. Without that ancestry it cannot be trusted.
    const exeUnreadableUnderShim = candidate.exe === null && shimAncestor !== undefined;
    if (!candidate.exeAllowed && !exeUnreadableUnderShim) {
      addUntrusted(candidate, candidate.claimedId ?? id, 'exe-not-allowed');
      continue;
    }
    if (!shim) {
      addUntrusted(candidate, id, 'no-shim');
      continue;
    }
    if (shimAncestor && candidate.claimedId !== undefined && !sameSandbox(candidate.claimedId, shim.id)) {
      view.errors.add('discover', `/proc/${candidate.stat.pid}/cmdline`, 'E_MALFORMED',
        `${candidate.kind} claims sandbox ${candidate.claimedId} but runs under the shim of ${shim.id}; grouped by ancestry`);
    }
    // virtiofsd's fds (its socket, the guest RAM it maps) name no device: skip the walk, 14% of a scan's reads.
    const facts = readProcessFacts(view, candidate.stat, candidate.stable, () => candidate.kind !== 'virtiofsd');
    // Under a trusted shim, ancestry is the proof (virtiofsd's sandboxed child is PID 1 of its own pid
    // namespace on purpose). Joined by id alone, the process must also live where the shim lives.
    if (!shimAncestor && !inHostPidNamespace(facts)) {
      untrustedFromFacts(untrusted, facts, candidate, id, 'foreign-pid-namespace', () => untrustedOmitted++);
      continue;
    }
    if (!shimAncestor && facts.status?.uids[0] !== shim.facts.status?.uids[0]) {
      untrustedFromFacts(untrusted, facts, candidate, id, 'uid-mismatch', () => untrustedOmitted++);
      continue;
    }
    const list = joined.get(shim.id) ?? [];
    list.push({ facts, kind: candidate.kind, role: ROLE_OF[candidate.kind], exeAllowed: candidate.exeAllowed });
    joined.set(shim.id, list);
  }

  const sandboxes: DiscoveredSandbox[] = [];
  for (const shim of shimsById.values()) {
    const members = [shim, ...(joined.get(shim.id) ?? [])];
    sandboxes.push({
      id: shim.id,
      vmm: vmmKindOf(members),
      trusted: true,
      trustReasons: [],
      runtime: shimRuntime(shim.facts.exe, shim.facts.argv),
      shim,
      members,
    });
  }
  for (const group of untrusted.values()) {
    sandboxes.push({ id: group.id, vmm: vmmKindOf(group.members), trusted: false, trustReasons: group.reasons, runtime: 'unknown', shim: null, members: group.members });
  }
  for (const sandbox of sandboxes) sandbox.members.sort((a, b) => a.facts.pid - b.facts.pid);
  sandboxes.sort((a, b) => (a.trusted === b.trusted ? a.id.localeCompare(b.id) : a.trusted ? -1 : 1));
  return { sandboxes, candidates: candidates.length, untrustedOmitted };
}

function pickCandidates(view: HostView, table: ProcessTable, allowList: ExecutableAllowList, cache: ProcessCache | undefined): Candidate[] {
  const out: Candidate[] = [];
  for (const stat of table.byPid.values()) {
    const kind = candidateKindOfComm(stat.comm);
    // A zombie has released its memory, exe and fds: nothing of it can be reached from a guest any more.
    if (kind === undefined || stat.state === 'Z' || stat.state === 'X') continue;
    const identity = readIdentity(view, stat, cache);
    if (identity === undefined) continue;
    if (kind === 'shim' && !isKataShimArgv0(identity.argv[0])) continue; // runc and other containerd shims
    const claimedId = claimedSandboxId(view, stat.pid, kind, identity.argv, identity.exe);
    out.push({ stat, kind, stable: identity, argv: identity.argv, exe: identity.exe, exeAllowed: allowList.allows(kind, identity.exe), claimedId });
  }
  return out.sort((a, b) => a.stat.pid - b.stat.pid);
}

function findShimById<T extends { id: string }>(shims: Map<string, T>, claimed: string, kind: CandidateKind): T | undefined {
  const exact = shims.get(claimed);
  if (exact) return exact;
  // Firecracker's id is the sandbox id cut to 32 characters (Kata's truncateID), to fit sun_path.
  if ((kind === 'firecracker' || kind === 'jailer') && isFirecrackerShortId(claimed)) {
    for (const [id, shim] of shims) if (id.startsWith(claimed)) return shim;
  }
  return undefined;
}

function sameSandbox(claimed: string, shimId: string): boolean {
  return claimed === shimId || (isFirecrackerShortId(claimed) && shimId.startsWith(claimed));
}

function inHostPidNamespace(facts: ProcessFacts): boolean {
  // NSpid lists one pid per nested pid namespace: one value means the host's (the agent's own) namespace.
  // When the agent itself runs in a child pid namespace without hostPID it sees nothing of Kata anyway.
  return (facts.status?.nspid.length ?? 1) <= 1;
}

function untrustedFromFacts(
  groups: Map<string, { id: string; reasons: TrustReason[]; members: Member[] }>,
  facts: ProcessFacts,
  candidate: Candidate,
  id: string,
  reason: TrustReason,
  onOmitted: () => void,
): void {
  const key = `${reason}\0${id}`;
  let group = groups.get(key);
  if (!group) {
    if (groups.size >= MAX_UNTRUSTED_SANDBOXES) return onOmitted();
    group = { id, reasons: [reason], members: [] };
    groups.set(key, group);
  }
  group.members.push({ facts, kind: candidate.kind, role: ROLE_OF[candidate.kind], exeAllowed: candidate.exeAllowed });
}

function shallowFacts(view: HostView, candidate: Candidate): ProcessFacts {
  const status = readStatus(view, candidate.stat.pid);
  return {
    pid: candidate.stat.pid,
    ppid: candidate.stat.ppid,
    comm: candidate.stat.comm,
    startTime: candidate.stat.startTime,
    argv: candidate.argv,
    exe: candidate.exe,
    status,
    threads: [],
    namespaces: {},
    namespacesReadable: false,
    fds: new Map(),
    stable: candidate.stable,
  };
}

function vmmKindOf(members: readonly Member[]): VmmKind {
  for (const m of members) {
    if (m.kind === 'qemu') return 'qemu';
    if (m.kind === 'firecracker' || m.kind === 'jailer') return 'firecracker';
    if (m.kind === 'cloud-hypervisor') return 'cloud-hypervisor';
  }
  const shim = members.find((m) => m.kind === 'shim');
  if (shim && shim.facts.threads.some((t) => isDragonballThread(t.comm))) return 'dragonball';
  // A sandbox caught before its VMM started (or after it died): the virtiofsd socket name tells the VMM.
  const vfsd = members.find((m) => m.kind === 'virtiofsd');
  if (vfsd && vfsd.facts.argv.some((a) => a.includes('/run/vc/vm/') && a.includes('virtiofsd.sock'))) return 'cloud-hypervisor';
  return 'qemu';
}
