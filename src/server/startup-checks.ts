// What the agent can see, said once at startup: its effective capabilities, and a warning when it cannot read
// the ns/, fd/ and exe links of another root process, which is what every sandbox's confinement is judged
// from. Without this an SRE would get a clean-looking but blind report (shared namespaces "unknown", no
// devices from fds) and no hint why.
import { readdirSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { OTHER_REFUSERS, readAgentPrivileges } from '../host/agent-privileges.js';
import { hasCapability } from '../host/proc/capabilities.js';
import type { Logger } from '../log.js';
import type { ScanConfig } from '../scan-config.js';

export interface ProbeFailure {
  /** Host path, e.g. /proc/1/ns/mnt. */
  path: string;
  code: string;
}

/** Tries the reads the scan needs on one process that is not the agent; returns what failed. */
export function probeHostAccess(procfs: string, pid: number): ProbeFailure[] {
  const failures: ProbeFailure[] = [];
  const attempt = (rel: string, read: (real: string) => unknown): void => {
    try {
      read(path.join(procfs, String(pid), rel));
    } catch (error) {
      failures.push({ path: `/proc/${pid}/${rel}`, code: (error as NodeJS.ErrnoException).code ?? 'EIO' });
    }
  };
  attempt('exe', readlinkSync);
  attempt('ns/mnt', readlinkSync);
  attempt('fd', (real) => {
    const first = readdirSync(real)[0];
    if (first !== undefined) readlinkSync(path.join(real, first));
  });
  return failures;
}

export function logStartupChecks(scan: ScanConfig, logger: Logger, privileges = readAgentPrivileges()): void {
  logger.info('agent privileges', {
    uid: privileges.uid,
    cap_eff: privileges.capEff,
    capabilities: privileges.capabilities.length > 0 ? privileges.capabilities.join(',') : 'none',
  });
  if (privileges.capabilities.length >= 38) {
    logger.info('the agent runs with (nearly) every capability; it needs only SYS_PTRACE, plus DAC_READ_SEARCH for non-root targets');
  }
  if (scan.fixtureRoots) {
    logger.debug('scanning a fixture tree: host access probe skipped', { procfs: scan.roots.procfs });
    return;
  }
  const pid = scan.referencePid !== process.pid ? scan.referencePid : 1;
  const failures = probeHostAccess(scan.roots.procfs, pid);
  if (failures.length === 0) return;
  if (failures.every((f) => f.code === 'ENOENT')) {
    logger.warn('the reference process is not visible: run in the host pid namespace (hostPID) or mount the host /proc and set --path.procfs', { pid, procfs: scan.roots.procfs });
    return;
  }
  const denied = failures.filter((f) => f.code === 'EACCES' || f.code === 'EPERM');
  const missing: string[] = [];
  const has = (name: 'SYS_PTRACE' | 'DAC_READ_SEARCH'): boolean => privileges.capEff !== null && hasCapability(privileges.capEff, name);
  if (denied.some((f) => !f.path.endsWith('/fd')) && !has('SYS_PTRACE')) missing.push('CAP_SYS_PTRACE');
  if (denied.some((f) => f.path.endsWith('/fd')) && !has('DAC_READ_SEARCH')) missing.push('CAP_DAC_READ_SEARCH');
  logger.warn('cannot read namespaces, fds or executable of another process; shared namespaces, fd-backed devices and trust checks will be unknown', {
    pid,
    denied: failures.map((f) => `${f.path}:${f.code}`).join(','),
    missing: missing.length > 0 ? missing.join(',') : undefined,
    hint: missing.length > 0
      ? `grant ${missing.join(' and ')} (Kubernetes: runAsUser 0, capabilities add; systemd: AmbientCapabilities=)`
      : `the capabilities these reads need are there, so something else refuses: ${OTHER_REFUSERS}`,
  });
}
