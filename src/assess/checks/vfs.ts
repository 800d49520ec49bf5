// virtio-fs: virtiofsd is trusted as the third tier only because it confines itself. These rules judge the
// observed confinement. A daemon that is still "pending" (its VMM has not connected, so it has not forked into
// its sandbox nor installed seccomp yet) is not judged: reading it as "unsandboxed, no seccomp" would page
// someone for every starting pod. It gets an informational finding instead, and the next scan judges it.
// Dragonball's inline virtio-fs has no daemon: its FUSE server is the shim, covered by the VMM rules; that holds
// for its builtin nydus too (RAFS mounted inside the shim, no nydusd). nydusd (virtio-fs-nydus) cannot confine
// itself at all, so it has a rule of its own (KATA-VFS-005) instead of virtiofsd's flag-based ones.

import type { FileSharingDaemon, Finding, VirtiofsState } from '../../model/report.js';
import type { AssessInput, RuleCheck } from '../types.js';
import { type CheckTable, finding } from '../catalogue.js';
import { judgedSandboxes, type InputSandbox } from './trust.js';

interface Daemon {
  sandbox: InputSandbox;
  state: VirtiofsState;
}

/** The file-sharing daemons of judged sandboxes; `daemon` picks one implementation (absent: either). */
function daemons(input: AssessInput, daemon?: FileSharingDaemon): Daemon[] {
  return judgedSandboxes(input).flatMap((sandbox) =>
    sandbox.virtiofs && sandbox.virtiofs.implementation !== 'inline' && (daemon === undefined || daemonOf(sandbox.virtiofs) === daemon)
      ? [{ sandbox, state: sandbox.virtiofs }] : []);
}

/** Reports older than the field had only virtiofsd. */
function daemonOf(state: VirtiofsState): FileSharingDaemon {
  return state.daemon ?? 'virtiofsd';
}

function observed(state: VirtiofsState): boolean {
  return state.sandbox !== 'pending';
}

function daemonLabel(sandbox: InputSandbox): string {
  const name = sandbox.virtiofs ? daemonOf(sandbox.virtiofs) : 'virtiofsd';
  const pids = sandbox.processes.filter((p) => p.role === 'virtiofsd').map((p) => p.pid);
  if (pids.length === 0) return name;
  return `${name} pid${pids.length > 1 ? 's' : ''} ${pids.join(', ')}`;
}

/** The flag as the daemon's own syntax spells it, so the evidence can be grepped in its cmdline. */
function sandboxFlag(state: VirtiofsState): string | null {
  if (state.declaredSandbox === null) return null;
  return state.implementation === 'c' ? `-o sandbox=${state.declaredSandbox}` : `--sandbox=${state.declaredSandbox}`;
}

function seccompFlag(state: VirtiofsState): string | null {
  return state.declaredSeccomp === null ? null : `--seccomp=${state.declaredSeccomp}`;
}

function unsandboxed(state: VirtiofsState): boolean {
  return state.sandbox === 'none' || state.sandbox === 'chroot';
}

const SANDBOX_NAMESPACES = ['pid', 'mnt', 'net'] as const;

/** What the namespace comparison saw for the daemon's processes, in the words of the comparison. */
function namespaceEvidence(sandbox: InputSandbox, referencePid: number): string {
  const daemons = sandbox.processes.filter((p) => p.role === 'virtiofsd');
  const known = daemons.filter((p) => p.namespacesKnown);
  if (known.length === 0) return 'its namespaces could not be compared with the host\'s';
  return known.map((p) => {
    const shared = SANDBOX_NAMESPACES.filter((kind) => p.sharedNamespaces.includes(kind));
    const who = known.length > 1 || daemons.length > 1 ? `pid ${p.pid}` : 'it';
    return shared.length === 0
      ? `${who} shares none of the pid, mnt, net namespaces of host reference pid ${referencePid}`
      : `${who} shares the ${shared.join(', ')} namespace${shared.length > 1 ? 's' : ''} of host reference pid ${referencePid}`;
  }).join(', ');
}

function sandboxEvidence(sandbox: InputSandbox, state: VirtiofsState, referencePid: number): string {
  const flag = sandboxFlag(state);
  const head = `${daemonLabel(sandbox)} runs ${flag ? `with ${flag}` : 'without a --sandbox flag'}, observed mode ${state.sandbox}`;
  const root = state.sandbox === 'chroot' ? `; its root is ${state.sharedDir ?? 'the shared directory'}` : '';
  return `${head}${root}; ${namespaceEvidence(sandbox, referencePid)}`;
}

export const virtiofsdUnsandboxed: RuleCheck = (input) =>
  daemons(input, 'virtiofsd')
    .filter(({ state }) => observed(state) && unsandboxed(state))
    .map(({ sandbox, state }): Finding =>
      finding('KATA-VFS-001', sandbox.id, sandboxEvidence(sandbox, state, input.host.referencePid), state.sandbox === 'none'));

// `--seccomp=log` installs a filter whose action only logs, so the kernel reports "filter" for a daemon that
// is in fact unconfined: the flag decides there. `none` is trusted from the flag only when the observation is
// missing; an observed filter wins over a flag the inspector may have misread.
function seccompWeak(state: VirtiofsState): boolean {
  if (state.seccomp === 'disabled') return true;
  if (state.declaredSeccomp === 'log') return true;
  return state.declaredSeccomp === 'none' && state.seccomp === 'unknown';
}

export const virtiofsdWithoutSeccomp: RuleCheck = (input) =>
  daemons(input, 'virtiofsd')
    .filter(({ state }) => observed(state) && seccompWeak(state))
    .map(({ sandbox, state }): Finding => {
      const flag = seccompFlag(state);
      const what = state.seccomp === 'disabled'
        ? `has Seccomp 0 (disabled)${flag ? ` and runs with ${flag}` : ''}`
        : `runs with ${flag ?? 'a non-enforcing seccomp action'} (observed seccomp ${state.seccomp})`;
      const alsoUnsandboxed = unsandboxed(state);
      const tail = alsoUnsandboxed ? `; its sandbox mode is ${state.sandbox}, so nothing confines it` : '';
      return finding('KATA-VFS-002', sandbox.id, `${daemonLabel(sandbox)} ${what}${tail}`, alsoUnsandboxed);
    });

export const virtiofsDax: RuleCheck = (input) =>
  daemons(input)
    .filter(({ state }) => state.dax)
    .map(({ sandbox, state }): Finding => finding('KATA-VFS-003', sandbox.id,
      `the VMM's vhost-user-fs device has a DAX window (cache-size set); ${daemonLabel(sandbox)} serves ` +
      `${state.sharedDir ?? 'the shared directory'} with cache ${state.cache ?? 'unknown'}`));

export const virtiofsdUnverified: RuleCheck = (input) =>
  daemons(input, 'virtiofsd')
    .filter(({ state }) => state.sandbox === 'pending' || state.sandbox === 'unknown')
    .map(({ sandbox, state }): Finding => {
      const declared = [sandboxFlag(state), seccompFlag(state)].filter((f): f is string => f !== null);
      const flags = declared.length > 0 ? `; declared ${declared.join(' ')}` : '; no --sandbox/--seccomp flags (defaults: namespace, kill)';
      const what = state.sandbox === 'pending'
        ? 'waits for its VMM to connect (not yet in its sandbox, seccomp not yet installed)'
        : 'has a sandbox mode that could not be determined from its namespaces and mounts';
      return finding('KATA-VFS-004', sandbox.id, `${daemonLabel(sandbox)} ${what}${flags}`);
    });

/** What the kernel shows of a nydusd: who it runs as, what it may do, what it shares with the host. */
function nydusdEvidence(sandbox: InputSandbox, state: VirtiofsState, referencePid: number): string {
  const daemons = sandbox.processes.filter((p) => p.role === 'virtiofsd');
  const who = daemons.map((p) => {
    const uid = p.uid === null ? 'an unknown uid' : `uid ${p.uid}`;
    const caps = p.capEffectiveCount === null ? 'unknown capabilities' : `${p.capEffectiveCount} effective capabilities (CapEff ${p.capEffective})`;
    return `runs as ${uid} with ${caps}`;
  }).join('; ');
  return `${daemonLabel(sandbox)} (which has no sandbox, seccomp or capability option) ${who || 'runs'}, observed mode ` +
    `${state.sandbox}, seccomp ${state.seccomp}; ${namespaceEvidence(sandbox, referencePid)}`;
}

export const nydusdUnconfined: RuleCheck = (input) =>
  daemons(input, 'nydusd')
    .filter(({ state }) => unsandboxed(state))
    .map(({ sandbox, state }): Finding =>
      finding('KATA-VFS-005', sandbox.id, nydusdEvidence(sandbox, state, input.host.referencePid), state.seccomp === 'disabled'));

export const VFS_CHECKS = {
  'KATA-VFS-001': virtiofsdUnsandboxed,
  'KATA-VFS-002': virtiofsdWithoutSeccomp,
  'KATA-VFS-003': virtiofsDax,
  'KATA-VFS-004': virtiofsdUnverified,
  'KATA-VFS-005': nydusdUnconfined,
} satisfies CheckTable;
