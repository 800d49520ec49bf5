// The policy rules judge what the acknowledgements did (AssessInput.policy, filled by src/policy/apply.ts
// after the matching), not the host: an expired entry, and an entry that acknowledged nothing on this node.

import type { PolicyEntrySummary } from '../../model/report.js';
import type { RuleCheck } from '../types.js';
import { type CheckTable, finding } from '../catalogue.js';

const describe = (e: PolicyEntrySummary): string => `acknowledgements[${e.index}] (rule ${e.rule}, owner ${e.owner})`;

export const expiredAcknowledgement: RuleCheck = (input) =>
  (input.policy?.entries ?? [])
    .filter((e) => e.expired)
    .map((e) => finding('KATA-POLICY-001', null,
      `${describe(e)} in ${input.policy!.file} expired on ${e.expires}; it acknowledges nothing since`));

export const unmatchedAcknowledgement: RuleCheck = (input) =>
  (input.policy?.entries ?? [])
    .filter((e) => !e.expired && e.appliesToNode && !e.matchedSinceLoad)
    .map((e) => finding('KATA-POLICY-002', null,
      `${describe(e)} in ${input.policy!.file} has acknowledged no finding on this node since the policy was loaded`));

export const POLICY_CHECKS = {
  'KATA-POLICY-001': expiredAcknowledgement,
  'KATA-POLICY-002': unmatchedAcknowledgement,
} satisfies CheckTable;
