// How well a host process that serves a guest is fenced, in the four terms of Kata's threat model: a seccomp
// filter on every thread, its own mount and network namespaces (the ones KATA-VMM-002 judges; every VMM shares
// the host's pid namespace by design), an unprivileged uid, and no effective capabilities. The level is what the
// diagram colours a component by; the checks are what it prints.
import type { SandboxProcess } from '../model/report.js';

export type ConfinementLevel =
  | 'confined'       // every known check passes
  | 'partial'        // one or two checks fail
  | 'weak'           // three or four fail
  | 'unknown'        // no process, or nothing about it could be read
  | 'none'           // not a process: host kernel or hardware, which nothing confines, serving no device
  | 'kernel-exposed'; // host kernel or hardware that the guest drives directly

export interface ConfinementCheck {
  name: 'seccomp' | 'namespaces' | 'uid' | 'capabilities';
  /** null: not known (unreadable, or not reported). */
  ok: boolean | null;
  text: string;
}

export interface Confinement { level: ConfinementLevel; checks: ConfinementCheck[] }

export const LEVEL_TEXT: Readonly<Record<ConfinementLevel, string>> = {
  confined: 'confined',
  partial: 'partly confined',
  weak: 'weakly confined',
  unknown: 'confinement unknown',
  none: 'not a process',
  'kernel-exposed': 'driven by the guest, unconfined',
};

export function confinementOf(process: SandboxProcess | null): Confinement {
  if (process === null) return { level: 'unknown', checks: [] };
  const checks = [seccompCheck(process), namespaceCheck(process), uidCheck(process), capabilityCheck(process)];
  const known = checks.filter((c) => c.ok !== null).length;
  const failed = checks.filter((c) => c.ok === false).length;
  const level: ConfinementLevel = known === 0 ? 'unknown' : failed === 0 ? 'confined' : failed <= 2 ? 'partial' : 'weak';
  return { level, checks };
}

function seccompCheck(p: SandboxProcess): ConfinementCheck {
  if (p.seccomp === 'unknown') return { name: 'seccomp', ok: null, text: 'seccomp unknown' };
  const filtered = p.seccomp === 'filter' || p.seccomp === 'strict';
  // Seccomp is per thread: a leader with a filter says nothing about threads started before it was loaded.
  if (filtered && p.threadsWithoutSeccomp === 0) return { name: 'seccomp', ok: true, text: `seccomp on all ${p.threads} threads` };
  return { name: 'seccomp', ok: false, text: `no seccomp on ${p.threadsWithoutSeccomp} of ${p.threads} threads` };
}

function namespaceCheck(p: SandboxProcess): ConfinementCheck {
  if (!p.namespacesKnown) return { name: 'namespaces', ok: null, text: 'namespaces unknown' };
  const reach = p.sharedNamespaces.filter((ns) => ns === 'mnt' || ns === 'net');
  if (reach.length > 0) return { name: 'namespaces', ok: false, text: `host ${reach.join('+')} namespace` };
  return { name: 'namespaces', ok: true, text: 'own mnt+net namespaces' };
}

function uidCheck(p: SandboxProcess): ConfinementCheck {
  if (p.uid === null) return { name: 'uid', ok: null, text: 'uid unknown' };
  return p.uid === 0 ? { name: 'uid', ok: false, text: 'runs as root (uid 0)' } : { name: 'uid', ok: true, text: `uid ${p.uid}` };
}

function capabilityCheck(p: SandboxProcess): ConfinementCheck {
  if (p.capEffectiveCount === null) return { name: 'capabilities', ok: null, text: 'capabilities unknown' };
  if (p.capEffectiveCount === 0) return { name: 'capabilities', ok: true, text: 'no capabilities' };
  return { name: 'capabilities', ok: false, text: `${p.capEffectiveCount} capabilities` };
}
