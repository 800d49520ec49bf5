import { compareCodeUnits } from '../model/compare.js';
import type { HostView } from '../host/host-view.js';
import type { ProcStat } from '../host/proc/stat.js';
import type { ProcessRole, SandboxTrust, VmmKind } from '../model/report.js';
import { bundleShimPid, inHostPidNamespace, judgeDaemonized, judgeShim, type TrustAnchors, type TrustReason, type Verdict } from './anchors.js';
import { claimedSandboxId, isFirecrackerShortId } from './claimed-id.js';
import { readIdentity, readProcessFacts, readStatus, type ProcessCache, type ProcessFacts, type StableFacts } from './process-facts.js';
import { ancestorsOf, type ProcessTable } from './process-table.js';
import { isRemoteSandbox, isRootlessVmm } from './shapes.js';
import { componentOfComm, processComponent, roleOf, vmmOfMembers } from '../components/registry.js';
import { shimRuntime } from '../components/shim.js';
import type { CandidateKind } from '../components/types.js';

export type { TrustReason } from './anchors.js';

/** Listed look-alike sandboxes at most; the rest are counted. A workload must not be able to flood the report. */
export const MAX_UNTRUSTED_SANDBOXES = 16;
/** Look-alike processes read in depth at most; the rest get a status-only read. */
const MAX_DEEP_UNTRUSTED_READS = MAX_UNTRUSTED_SANDBOXES * 4;

/** Ids of entries that are not trusted sandboxes: ':' never occurs in a Kata id, so they cannot collide. */
export const UNTRUSTED_ID_PREFIX = 'untrusted:';
export const UNVERIFIED_ID_PREFIX = 'unverified:';

export interface Member {
  facts: ProcessFacts;
  kind: CandidateKind;
  role: ProcessRole;
  exeAllowed: boolean;
}

export interface DiscoveredSandbox {
  /** The report's id: the claimed id when trusted, prefixed otherwise. */
  id: string;
  claimedId: string;
  vmm: VmmKind;
  /** 'remote' for peer pods: the VM runs elsewhere and only the shim is on this node. */
  placement: 'local' | 'remote';
  trust: SandboxTrust;
  trusted: boolean;
  trustReasons: TrustReason[];
  runtime: 'go' | 'rust' | 'unknown';
  shim: Member | null;
  members: Member[];
  /** The anchored bundle directory (host path) of a trusted shim: the only place pod identity is read from. */
  bundle: string | null;
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

interface Group {
  trust: SandboxTrust;
  claimedId: string;
  reasons: TrustReason[];
  members: Member[];
  shim: Member | null;
  bundle: string | null;
}

/**
 * The sandboxes being built in one discovery: trusted ones by id, the others (look-alikes and unverified
 * processes) by claimed id, bounded. Every shim, whatever its verdict, is remembered by pid so that its
 * descendants follow it: a look-alike shim's children are look-alikes, never members of the real sandbox.
 */
class Groups {
  readonly trusted = new Map<string, Group>();
  readonly others = new Map<string, Group>();
  readonly byShimPid = new Map<number, Group>();
  /** Kata's throwaway VMM users by the sandbox they serve: one user is one sandbox's, never a second one's. */
  readonly rootlessUids = new Map<number, string>();
  omitted = 0;
  private deepReads = 0;
  private untrustedGroups = 0;

  constructor(private readonly view: HostView) {}

  /** The group of a non-trusted claim; undefined when the cap is reached (counted). */
  other(trust: 'untrusted' | 'unknown', claimedId: string): Group | undefined {
    const key = `${trust}\0${claimedId}`;
    let group = this.others.get(key);
    if (!group) {
      // Only look-alikes are capped here: unverified entries are real sandboxes the agent lacks the privilege to
      // prove, which no workload can cause; --max-sandboxes bounds them with the trusted ones.
      if (trust === 'untrusted' && this.untrustedGroups >= MAX_UNTRUSTED_SANDBOXES) {
        this.omitted++;
        return undefined;
      }
      group = { trust, claimedId, reasons: [], members: [], shim: null, bundle: null };
      this.others.set(key, group);
      if (trust === 'untrusted') this.untrustedGroups++;
    }
    return group;
  }

  /** Adds a non-trusted process; its facts are read in depth only up to a bound. */
  addOther(candidate: Candidate, verdict: Exclude<Verdict, { trust: 'trusted' }>, claimedId: string, facts?: ProcessFacts): Group | undefined {
    const group = this.other(verdict.trust, claimedId);
    if (!group) return undefined;
    if (verdict.trust === 'untrusted' && !group.reasons.includes(verdict.reason)) group.reasons.push(verdict.reason);
    if (verdict.trust === 'unknown') {
      this.view.errors.add('trust', `/proc/${candidate.stat.pid}`, 'E_UNVERIFIED',
        `trust of ${candidate.kind} pid ${candidate.stat.pid} claiming ${claimedId} cannot be established: ${verdict.cause}; reported as unverified, not as a look-alike`);
    }
    group.members.push(memberOf(candidate, facts ?? (verdict.trust === 'unknown' ? readProcessFacts(this.view, candidate.stat, candidate.stable) : this.boundedFacts(candidate))));
    return group;
  }

  private boundedFacts(candidate: Candidate): ProcessFacts {
    return this.deepReads++ < MAX_DEEP_UNTRUSTED_READS ? readProcessFacts(this.view, candidate.stat, candidate.stable) : shallowFacts(this.view, candidate);
  }
}

/**
 * Groups Kata processes into sandboxes. Trust comes from what the kernel says, not from names (see
 * anchors.ts): a sandbox is trusted only through a shim anchored in its executed file, its uid and the bundle
 * the runtime made for it. VMMs, jailers and virtiofsd join by ancestry; only the daemonized shapes whose
 * parent is init (QEMU -daemonize in Kata 1.x/2.x, Firecracker forked by the jailer) join by the id they
 * claim, and only when their executed file, uid and pid namespace agree and the sandbox has no VMM yet.
 */
export function discoverSandboxes(view: HostView, table: ProcessTable, anchors: TrustAnchors, cache: ProcessCache | undefined): Discovery {
  const candidates = pickCandidates(view, table, anchors, cache);
  const groups = new Groups(view);
  judgeShims(view, anchors, groups, candidates.filter((c) => c.kind === 'shim' && c.claimedId !== undefined));
  const rest = candidates.filter((c) => c.kind !== 'shim');
  const unplaced = rest.filter((candidate) => !joinByAncestry(view, table, groups, candidate));
  for (const candidate of unplaced) joinByClaim(view, anchors, groups, candidate);
  return { sandboxes: toSandboxes(groups, anchors), candidates: candidates.length, untrustedOmitted: groups.omitted };
}

function judgeShims(view: HostView, anchors: TrustAnchors, groups: Groups, shims: readonly Candidate[]): void {
  const anchored = new Map<string, Array<{ candidate: Candidate; facts: ProcessFacts; bundle: string | null }>>();
  for (const candidate of shims) {
    const id = candidate.claimedId!;
    const status = readStatus(view, candidate.stat.pid);
    const verdict = judgeShim(anchors, candidate.stat.pid, candidate.exe, id, status);
    if (verdict.trust !== 'trusted') {
      const group = groups.addOther(candidate, verdict, id);
      if (group) groups.byShimPid.set(candidate.stat.pid, group);
      continue;
    }
    const facts = readProcessFacts(view, candidate.stat, candidate.stable, (threads) => processComponent('shim').fdsNameDevices(threads));
    const list = anchored.get(id) ?? [];
    list.push({ candidate, facts, bundle: verdict.bundle });
    anchored.set(id, list);
  }
  for (const [id, claims] of anchored) {
    // Two anchored shims for one id: the shim library's <bundle>/shim.pid names the real one. Without it no
    // claim wins (a finding, not a coin toss).
    const recorded = claims.length > 1 && claims[0]!.bundle !== null ? bundleShimPid(view, claims[0]!.bundle) : undefined;
    for (const claim of claims) {
      if (claims.length > 1 && claim.candidate.stat.pid !== recorded) {
        const group = groups.addOther(claim.candidate, { trust: 'untrusted', reason: 'duplicate-id' }, id, claim.facts);
        if (group) groups.byShimPid.set(claim.candidate.stat.pid, group);
        continue;
      }
      const shim = memberOf(claim.candidate, claim.facts);
      const group: Group = { trust: 'trusted', claimedId: id, reasons: [], members: [shim], shim, bundle: claim.bundle };
      groups.trusted.set(id, group);
      groups.byShimPid.set(claim.candidate.stat.pid, group);
    }
  }
}

/** Under a shim (whatever its verdict), a process belongs to that shim's group. False when it has no shim ancestor. */
function joinByAncestry(view: HostView, table: ProcessTable, groups: Groups, candidate: Candidate): boolean {
  const group = ancestorsOf(table, candidate.stat.pid).map((pid) => groups.byShimPid.get(pid)).find((g) => g !== undefined);
  if (!group) return false;
  if (group.trust !== 'trusted') {
    groups.addOther(candidate, group.trust === 'unknown' ? { trust: 'unknown', cause: 'its shim cannot be verified' } : { trust: 'untrusted', reason: group.reasons[0] ?? 'no-shim' }, group.claimedId);
    return true;
  }
  // An exe that cannot be read (recorded) is no evidence against a process under a trusted shim: nothing but
  // Kata spawns there. A readable exe that is not an allowed one is a look-alike the shim's pod started.
  if (!candidate.exeAllowed && candidate.exe !== null) {
    groups.addOther(candidate, { trust: 'untrusted', reason: 'exe-not-allowed' }, candidate.claimedId ?? group.claimedId);
    return true;
  }
  if (candidate.claimedId !== undefined && !sameSandbox(candidate.claimedId, group.claimedId)) {
    view.errors.add('discover', `/proc/${candidate.stat.pid}/cmdline`, 'E_MALFORMED',
      `${candidate.kind} claims sandbox ${candidate.claimedId} but runs under the shim of ${group.claimedId}; grouped by ancestry`);
  }
  group.members.push(memberOf(candidate, readProcessFacts(view, candidate.stat, candidate.stable, (threads) => processComponent(candidate.kind).fdsNameDevices(threads))));
  return true;
}

/** Without a shim ancestor: only a daemonized VMM or jailer may join its claimed sandbox. */
function joinByClaim(view: HostView, anchors: TrustAnchors, groups: Groups, candidate: Candidate): void {
  const claimed = candidate.claimedId;
  if (claimed === undefined) return; // not Kata-shaped: a libvirt guest, a developer's QEMU
  if (!candidate.exeAllowed && candidate.exe !== null) {
    groups.addOther(candidate, { trust: 'untrusted', reason: 'exe-not-allowed' }, claimed);
    return;
  }
  const group = findGroupById(groups.trusted, claimed, candidate.kind);
  if (!group) {
    groups.addOther(candidate, candidate.exe === null ? { trust: 'unknown', cause: 'the exe link cannot be read' } : { trust: 'untrusted', reason: 'no-shim' }, claimed);
    return;
  }
  const hostPaths = processComponent(candidate.kind).daemonizedHostPaths(candidate.argv, candidate.exe, claimed);
  const hasVmm = group.members.some((m) => m.role === 'vmm' || m.role === 'jailer');
  if (hostPaths === undefined || hasVmm) {
    // Not a shape that runs outside its shim's tree, or the sandbox has its VMM already: an injection.
    groups.addOther(candidate, { trust: 'untrusted', reason: 'duplicate-id' }, claimed);
    return;
  }
  const verdict = judgeDaemonized(anchors, candidate.stat.pid, candidate.kind, candidate.exe, hostPaths);
  if (verdict.trust !== 'trusted') {
    groups.addOther(candidate, verdict, claimed);
    return;
  }
  const facts = readProcessFacts(view, candidate.stat, candidate.stable);
  const shimUid = group.shim?.facts.status?.uids[0];
  const uid = facts.status?.uids[0];
  const uidAgrees = uid === shimUid || (uid !== undefined && joinsAsRootlessVmm(view, groups, candidate, facts, claimed));
  const reason: TrustReason | undefined = !inHostPidNamespace(facts.status) ? 'foreign-pid-namespace' : !uidAgrees ? 'uid-mismatch' : undefined;
  if (reason) groups.addOther(candidate, { trust: 'untrusted', reason }, claimed, facts);
  else group.members.push(memberOf(candidate, facts));
}

/**
 * A rootless QEMU runs as Kata's throwaway user, not as its root shim: only that exact shape gets in, and its
 * user only for one sandbox (a guest that broke out into one rootless VMM holds that user's uid and could
 * otherwise start a "VMM" for a neighbour whose own VMM has not started yet).
 */
function joinsAsRootlessVmm(view: HostView, groups: Groups, candidate: Candidate, facts: ProcessFacts, claimed: string): boolean {
  if (candidate.kind !== 'qemu' || !isRootlessVmm(view, facts.status, candidate.argv, claimed)) return false;
  const uid = facts.status!.uids[0]!;
  const owner = groups.rootlessUids.get(uid);
  if (owner !== undefined && owner !== claimed) return false;
  groups.rootlessUids.set(uid, claimed);
  return true;
}

/** A trusted sandbox with no local VMM member whose VM cloud-api-adaptor runs elsewhere (peer pods). */
function placementOf(anchors: TrustAnchors, group: Group, vmm: VmmKind): 'local' | 'remote' {
  if (group.trust !== 'trusted' || vmm === 'dragonball') return 'local';
  if (group.members.some((m) => processComponent(m.kind).vmm !== null || m.role === 'jailer')) return 'local';
  return isRemoteSandbox(anchors, group.claimedId) ? 'remote' : 'local';
}

function toSandboxes(groups: Groups, anchors: TrustAnchors): DiscoveredSandbox[] {
  const sandboxes: DiscoveredSandbox[] = [];
  for (const group of [...groups.trusted.values(), ...groups.others.values()]) {
    const shim = group.trust === 'trusted' ? group.shim : null;
    const prefix = group.trust === 'trusted' ? '' : group.trust === 'unknown' ? UNVERIFIED_ID_PREFIX : UNTRUSTED_ID_PREFIX;
    group.members.sort((a, b) => a.facts.pid - b.facts.pid);
    const local = vmmOfMembers(group.members);
    const placement = placementOf(anchors, group, local);
    sandboxes.push({
      id: `${prefix}${group.claimedId}`,
      claimedId: group.claimedId,
      vmm: placement === 'remote' ? 'remote' : local,
      placement,
      trust: group.trust,
      trusted: group.trust === 'trusted',
      trustReasons: group.reasons,
      runtime: shim ? shimRuntime(shim.facts.exe, shim.facts.argv) : 'unknown',
      shim,
      members: group.members,
      bundle: group.trust === 'trusted' ? group.bundle : null,
    });
  }
  const rank: Record<SandboxTrust, number> = { trusted: 0, unknown: 1, untrusted: 2 };
  return sandboxes.sort((a, b) => rank[a.trust] - rank[b.trust] || compareCodeUnits(a.id, b.id));
}

function pickCandidates(view: HostView, table: ProcessTable, anchors: TrustAnchors, cache: ProcessCache | undefined): Candidate[] {
  const out: Candidate[] = [];
  for (const stat of table.byPid.values()) {
    const component = componentOfComm(stat.comm);
    // A zombie has released its memory, exe and fds: nothing of it can be reached from a guest any more.
    if (component === undefined || stat.state === 'Z' || stat.state === 'X') continue;
    const identity = readIdentity(view, stat, cache);
    if (identity === undefined) continue;
    if (component.confirmsArgv0 && !component.confirmsArgv0(identity.argv[0])) continue; // runc and other containerd shims
    const kind = component.kind;
    const claimedId = claimedSandboxId(view, stat.pid, kind, identity.argv, identity.exe);
    out.push({ stat, kind, stable: identity, argv: identity.argv, exe: identity.exe, exeAllowed: anchors.allowList.allows(kind, identity.exe), claimedId });
  }
  return out.sort((a, b) => a.stat.pid - b.stat.pid);
}

function memberOf(candidate: Candidate, facts: ProcessFacts): Member {
  return { facts, kind: candidate.kind, role: roleOf(candidate.kind), exeAllowed: candidate.exeAllowed };
}

function findGroupById(groups: Map<string, Group>, claimed: string, kind: CandidateKind): Group | undefined {
  const exact = groups.get(claimed);
  if (exact) return exact;
  // Firecracker's id is the sandbox id cut to 32 characters (Kata's truncateID), to fit sun_path.
  if (processComponent(kind).claimsTruncatedId && isFirecrackerShortId(claimed)) {
    for (const [id, group] of groups) if (id.startsWith(claimed)) return group;
  }
  return undefined;
}

function sameSandbox(claimed: string, shimId: string): boolean {
  return claimed === shimId || (isFirecrackerShortId(claimed) && shimId.startsWith(claimed));
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
