import { capabilityCount } from '../host/proc/capabilities.js';
import { NAMESPACE_KINDS, type NamespaceKind, type SandboxProcess, type SeccompMode } from '../model/report.js';
import type { Member } from '../discover/discover.js';

export function seccompModeOf(value: 0 | 1 | 2 | null | undefined): SeccompMode {
  return value === 0 ? 'disabled' : value === 1 ? 'strict' : value === 2 ? 'filter' : 'unknown';
}

/** One process's confinement, as the report shows it. Seccomp is per thread: the leader's mode is not enough. */
export function summariseProcess(member: Member, reference: Partial<Record<NamespaceKind, string | null>>): SandboxProcess {
  const { facts } = member;
  const status = facts.status;
  const referenceKnown = NAMESPACE_KINDS.every((kind) => typeof reference[kind] === 'string');
  const namespacesKnown = referenceKnown && facts.namespacesReadable;
  const sharedNamespaces = namespacesKnown
    ? NAMESPACE_KINDS.filter((kind) => facts.namespaces[kind] === reference[kind])
    : [];
  return {
    pid: facts.pid,
    ppid: facts.ppid,
    role: member.role,
    comm: facts.comm,
    exe: facts.exe,
    uid: status?.uids[1] ?? status?.uids[0] ?? null,
    seccomp: seccompModeOf(status?.seccomp),
    threads: facts.threads.length,
    threadsWithoutSeccomp: facts.threads.filter((t) => t.seccomp === 0).length,
    noNewPrivs: status?.noNewPrivs ?? null,
    capEffective: status?.capEff ?? null,
    capEffectiveCount: status?.capEff ? capabilityCount(status.capEff) : null,
    sharedNamespaces,
    namespacesKnown,
    nspid: status?.nspid ?? [],
    exeAllowed: member.exeAllowed,
  };
}
