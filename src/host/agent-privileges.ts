// The agent's own credentials, and what a refused read of another process means given them. One place for both,
// so that the startup log ("agent privileges") and a report's E_ACCESS entries never disagree: a report must not
// say "the agent needs CAP_SYS_PTRACE" when the agent has it.
import { readFileSync } from 'node:fs';
import { capabilityNames, hasCapability } from './proc/capabilities.js';
import { parseProcStatus } from './proc/status.js';

export interface AgentPrivileges {
  uid: number | null;
  capEff: string | null;
  capabilities: string[];
}

/** The two capabilities the scan needs on other processes' /proc entries (see docs/deploy.md). */
export const NEEDED_CAPABILITIES = ['SYS_PTRACE', 'DAC_READ_SEARCH'] as const;

/**
 * The agent's own credentials. This reads /proc/self literally, not through --path.procfs: it is a fact about
 * this process, in the procfs of its own pid namespace, not about the host under audit (whose procfs may be
 * mounted elsewhere, or be a fixture tree).
 */
export function readAgentPrivileges(statusFile = '/proc/self/status'): AgentPrivileges {
  try {
    const status = parseProcStatus(readFileSync(statusFile, 'utf8'));
    const capEff = status.capEff;
    return { uid: status.uids[1] ?? null, capEff, capabilities: capEff === null ? [] : capabilityNames(capEff) };
  } catch {
    return { uid: null, capEff: null, capabilities: [] };
  }
}

/** CAP_-prefixed names of the needed capabilities missing from a CapEff mask; all of them when it is unknown. */
export function missingCapabilities(capEff: string | null): string[] {
  return NEEDED_CAPABILITIES.filter((name) => capEff === null || !hasCapability(capEff, name)).map((name) => `CAP_${name}`);
}

/**
 * Why a read of another process's /proc entry was refused, as far as the agent's own capabilities tell.
 * With both capabilities present the refusal comes from elsewhere: an LSM's ptrace or file rules (AppArmor,
 * SELinux), or a user namespace of the agent's own (CapEff then counts in that namespace, and the kernel's
 * ptrace check wants the capability in the target's). Yama's ptrace_scope is not named: it restricts attaching
 * only, not the read-mode checks behind exe, cwd, ns/ and fd/.
 */
export function deniedReadCause(capEff: string | null): string {
  const missing = missingCapabilities(capEff);
  if (capEff === null) return `the agent's own capabilities could not be read; it needs ${missing.join(' and ')}`;
  if (missing.length > 0) return `the agent lacks ${missing.join(' and ')}`;
  return `the agent has CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH, so something else refuses: ${OTHER_REFUSERS}`;
}

/** What refuses a read when the capabilities are there (see deniedReadCause). */
export const OTHER_REFUSERS = 'an LSM (AppArmor, SELinux), a user namespace the agent runs in (its capabilities do not reach '
  + "the host's processes), or the file's own mode on a copied tree";

let own: AgentPrivileges | undefined;

/** readAgentPrivileges() once per process: capabilities are fixed at exec for an agent that never changes them. */
export function ownPrivileges(): AgentPrivileges {
  own ??= readAgentPrivileges();
  return own;
}
