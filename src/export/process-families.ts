// Per-role confinement of a sandbox's processes. A role (shim, vmm, jailer, virtiofsd) may have several
// processes (virtiofsd forks a waiter and a worker); each metric reports the worst value among them, so a
// well-confined worker cannot hide an unconfined sibling. Processes whose field could not be read are left
// out of that metric; a role with no readable value has no series for it (the scan errors say why).
import type { Sandbox, SandboxProcess, SeccompMode } from '../model/report.js';
import { FamilyBuilder, type Family } from './metric-family.js';

const P = 'kata_audit_process_';

/** The exposition's codes (/proc/<pid>/status "Seccomp:" field). */
const SECCOMP_CODE: Record<Exclude<SeccompMode, 'unknown'>, number> = { disabled: 0, strict: 1, filter: 2 };
/** Weakest first: strict mode allows only read/write/exit, so it fences more than any filter. */
const SECCOMP_STRENGTH: Record<Exclude<SeccompMode, 'unknown'>, number> = { disabled: 0, filter: 1, strict: 2 };

export class ProcessFamilies {
  private readonly seccomp = new FamilyBuilder(`${P}seccomp_mode`, 'Seccomp mode of the weakest process of the role, from the Seccomp field of /proc/<pid>/status: 0 disabled, 1 strict, 2 filter.', ['sandbox_id', 'role']);
  private readonly threads = new FamilyBuilder(`${P}threads_without_seccomp`, 'Threads without seccomp in the worst process of the role, from /proc/<pid>/task/<tid>/status (seccomp is per thread).', ['sandbox_id', 'role']);
  private readonly namespaces = new FamilyBuilder(`${P}shared_namespaces`, 'Namespaces the worst process of the role shares with the host reference process (--host.reference-pid), comparing /proc/<pid>/ns/* links.', ['sandbox_id', 'role']);
  private readonly root = new FamilyBuilder(`${P}running_as_root`, 'Whether any process of the role runs with real uid 0, from the Uid field of /proc/<pid>/status.', ['sandbox_id', 'role']);
  private readonly caps = new FamilyBuilder(`${P}effective_capabilities`, 'Effective capabilities of the worst process of the role, counted from the CapEff mask of /proc/<pid>/status.', ['sandbox_id', 'role']);

  add(sandbox: Sandbox): void {
    const byRole = new Map<string, SandboxProcess[]>();
    for (const p of sandbox.processes) byRole.set(p.role, [...(byRole.get(p.role) ?? []), p]);
    for (const [role, processes] of byRole) {
      const key = [sandbox.id, role];
      const modes = processes.map((p) => p.seccomp).filter((m): m is Exclude<SeccompMode, 'unknown'> => m !== 'unknown');
      if (modes.length > 0) {
        const weakest = modes.reduce((a, b) => (SECCOMP_STRENGTH[b] < SECCOMP_STRENGTH[a] ? b : a));
        this.seccomp.set(key, SECCOMP_CODE[weakest]);
      }
      this.threads.set(key, Math.max(...processes.map((p) => p.threadsWithoutSeccomp)));
      const known = processes.filter((p) => p.namespacesKnown);
      if (known.length > 0) this.namespaces.set(key, Math.max(...known.map((p) => p.sharedNamespaces.length)));
      const uids = processes.map((p) => p.uid).filter((uid): uid is number => uid !== null);
      if (uids.length > 0) this.root.set(key, uids.includes(0) ? 1 : 0);
      const counts = processes.map((p) => p.capEffectiveCount).filter((n): n is number => n !== null);
      if (counts.length > 0) this.caps.set(key, Math.max(...counts));
    }
  }

  build(): Family[] {
    return [this.seccomp, this.threads, this.namespaces, this.root, this.caps].map((b) => b.build());
  }
}
