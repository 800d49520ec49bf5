// The policy stage of a scan: after the rules have judged, every finding gets `acknowledgement` (the first
// unexpired entry that matches it, or null), and the policy rules judge what the entries did. The exposure
// score is left as the rules made it: an accepted exposure is still an exposure.
import { compareFindings } from '../assess/assess.js';
import { POLICY_CHECKS } from '../assess/checks/policy.js';
import type { AssessInput } from '../assess/types.js';
import type { Finding, HostFacts, PolicySummary, Report, Sandbox } from '../model/report.js';
import { acknowledgingEntry, appliesToNode, type Place } from './match.js';
import type { Policy } from './policy.js';

/** A loaded policy and what it matched since it was loaded (the "whole run" of KATA-POLICY-002 in serve). */
export interface PolicyInForce {
  policy: Policy;
  /** Indices of entries that acknowledged a finding in some scan since the load; the stage adds to it. */
  matchedSinceLoad: Set<number>;
}

export interface PolicyStageInput {
  node: Report['node'];
  host: HostFacts;
  sandboxes: Sandbox[];
  hostFindings: Finding[];
}

export interface PolicyStageOutput {
  sandboxes: Sandbox[];
  hostFindings: Finding[];
  summary?: PolicySummary;
}

export function applyPolicy(input: PolicyStageInput, inForce: PolicyInForce | null, nowMs: number): PolicyStageOutput {
  if (inForce === null) {
    const none = (f: Finding): Finding => ({ ...f, acknowledgement: null });
    return { sandboxes: input.sandboxes.map((s) => ({ ...s, findings: s.findings.map(none) })), hostFindings: input.hostFindings.map(none) };
  }
  const counts = new Map<number, number>();
  const acknowledge = (f: Finding, place: Place): Finding => {
    const entry = acknowledgingEntry(inForce.policy.entries, f, place, nowMs);
    if (entry === undefined) return { ...f, acknowledgement: null };
    counts.set(entry.index, (counts.get(entry.index) ?? 0) + 1);
    return { ...f, acknowledgement: { reason: entry.reason, owner: entry.owner, expires: entry.expires } };
  };
  const node = input.node.hostname;
  const sandboxes = input.sandboxes.map((s) => ({ ...s, findings: s.findings.map((f) => acknowledge(f, { node, sandbox: s })) }));
  const acknowledgedHost = input.hostFindings.map((f) => acknowledge(f, { node, sandbox: null }));
  for (const index of counts.keys()) inForce.matchedSinceLoad.add(index);
  const summary = summarise(input.node, inForce, counts, nowMs);
  return { sandboxes, hostFindings: [...acknowledgedHost, ...policyFindings(input, summary)].sort(compareFindings), summary };
}

function summarise(node: Report['node'], inForce: PolicyInForce, counts: ReadonlyMap<number, number>, nowMs: number): PolicySummary {
  return {
    file: inForce.policy.file,
    entries: inForce.policy.entries.map((e) => ({
      index: e.index,
      rule: e.rule,
      owner: e.owner,
      expires: e.expires,
      expired: nowMs >= e.expiresAtMs,
      matched: counts.get(e.index) ?? 0,
      matchedSinceLoad: inForce.matchedSinceLoad.has(e.index),
      appliesToNode: appliesToNode(e, node),
    })),
  };
}

/**
 * KATA-POLICY-001/002, from the summary. They are never acknowledged themselves: an entry that could silence
 * "your acknowledgement expired" would make expiry optional.
 */
function policyFindings(input: PolicyStageInput, summary: PolicySummary): Finding[] {
  const judged: AssessInput = { node: input.node, host: input.host, sandboxes: [], policy: summary };
  return Object.values(POLICY_CHECKS).flatMap((check) => check(judged)).map((f) => ({ ...f, acknowledgement: null }));
}
