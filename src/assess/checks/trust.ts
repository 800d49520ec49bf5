// Trust rules, and the predicates every other check uses to decide which sandboxes it may judge.
//
// Policy: an untrusted sandbox is judged by the trust rules only. Its processes are not Kata's (a look-alike)
// or not tied to a pod (no shim), so a vhost or seccomp finding on it would describe somebody else's process
// as if it were a sandbox's exposure, and a workload could spawn look-alikes to flood the findings. The trust
// finding says what matters: "this is not a sandbox you can reason about".

import type { Finding } from '../../model/report.js';
import { TRUST_REASONS, type TrustReason } from '../../model/trust-reason.js';
import type { AssessInput, RuleCheck } from '../types.js';
import { type CheckTable, finding } from '../catalogue.js';

export type InputSandbox = AssessInput['sandboxes'][number];

/** The reason codes discovery writes into `trustReasons` (one list, in the model). */
export { TRUST_REASONS };
/** Kept as a name the trust rules read well with; it is the model's TrustReason. */
export type TrustReasonCode = TrustReason;

/** Reasons that mean "this is not a Kata process at all", as opposed to "a Kata process without its shim". */
export const LOOK_ALIKE_REASONS: readonly TrustReasonCode[] = [
  TRUST_REASONS.exeNotAllowed,
  TRUST_REASONS.exeMismatch,
  TRUST_REASONS.shimNotRoot,
  TRUST_REASONS.noBundle,
  TRUST_REASONS.foreignPidNamespace,
  TRUST_REASONS.uidMismatch,
];

/** Unknown trust (facts the agent could not read) is reported as a scan error, never judged. */
function isUnverified(sandbox: InputSandbox): boolean {
  return sandbox.trust === 'unknown';
}

export function trustReasonCode(reason: string): string {
  const colon = reason.indexOf(':');
  return (colon === -1 ? reason : reason.slice(0, colon)).trim();
}

function codes(sandbox: InputSandbox): Set<string> {
  return new Set(sandbox.trustReasons.map(trustReasonCode));
}

/**
 * Untrusted for any reason other than a missing shim. An untrusted sandbox with no recognised reason counts as
 * a look-alike too: distrust the agent cannot explain is treated as the stronger case, not waved through.
 */
export function isLookAlike(sandbox: InputSandbox): boolean {
  if (sandbox.trusted || isUnverified(sandbox)) return false;
  const found = codes(sandbox);
  if (LOOK_ALIKE_REASONS.some((code) => found.has(code))) return true;
  return !found.has(TRUST_REASONS.noShim) && !found.has(TRUST_REASONS.duplicateId);
}

/** Claims the id of a trusted sandbox it is not part of (a second shim, or a VMM outside the shim's tree). */
export function claimsTakenId(sandbox: InputSandbox): boolean {
  return !sandbox.trusted && !isUnverified(sandbox) && codes(sandbox).has(TRUST_REASONS.duplicateId);
}

/** An allowed VMM binary whose shim is gone (and nothing worse). */
export function lacksShim(sandbox: InputSandbox): boolean {
  return !sandbox.trusted && !isLookAlike(sandbox) && codes(sandbox).has(TRUST_REASONS.noShim);
}

/** Whether the non-trust rules may judge this sandbox (see the policy at the top of this file). */
export function isJudged(sandbox: InputSandbox): boolean {
  return sandbox.trusted;
}

export function judgedSandboxes(input: AssessInput): InputSandbox[] {
  return input.sandboxes.filter(isJudged);
}

const MAX_LISTED_PROCESSES = 4;

function processSummary(sandbox: InputSandbox): string {
  if (sandbox.processes.length === 0) return 'no process details';
  const listed = sandbox.processes.slice(0, MAX_LISTED_PROCESSES).map((p) =>
    `${p.role} pid ${p.pid} exe ${p.exe ?? 'unreadable'} uid ${p.uid ?? 'unknown'}`);
  const more = sandbox.processes.length - listed.length;
  return listed.join(', ') + (more > 0 ? ` and ${more} more` : '');
}

function reasonsText(sandbox: InputSandbox): string {
  return sandbox.trustReasons.length > 0 ? sandbox.trustReasons.join(', ') : 'none recorded';
}

function claimOf(sandbox: InputSandbox): string {
  return sandbox.claimedId ?? sandbox.id;
}

export const lookAlike: RuleCheck = (input) =>
  input.sandboxes.filter(isLookAlike).map((sandbox): Finding => finding('KATA-TRUST-001', sandbox.id,
    `claims sandbox ${claimOf(sandbox)} as a ${sandbox.vmm} VMM but failed the trust checks ` +
    `(${reasonsText(sandbox)}): ${processSummary(sandbox)}`));

export const withoutShim: RuleCheck = (input) =>
  input.sandboxes.filter(lacksShim).map((sandbox): Finding => finding('KATA-TRUST-002', sandbox.id,
    `no live Kata shim owns sandbox ${claimOf(sandbox)} (${reasonsText(sandbox)}), yet its ${sandbox.vmm} ` +
    `processes run: ${processSummary(sandbox)}`));

export const takenId: RuleCheck = (input) =>
  input.sandboxes.filter(claimsTakenId).map((sandbox): Finding => finding('KATA-TRUST-003', sandbox.id,
    `claims sandbox ${claimOf(sandbox)}, which a trusted shim already owns, without being part of it ` +
    `(${reasonsText(sandbox)}): ${processSummary(sandbox)}`));

export const TRUST_CHECKS = {
  'KATA-TRUST-001': lookAlike,
  'KATA-TRUST-002': withoutShim,
  'KATA-TRUST-003': takenId,
} satisfies CheckTable;
