// `kata-audit policy check`: what each entry of a (valid) policy would do on this node, from a scan run with
// it. Plain data for src/render/policy-check.ts; the same matching as the scan (match.ts), so the preview
// cannot disagree with what the agent will do.
import type { Finding, Report, Sandbox } from '../model/report.js';
import { acknowledgingEntry, appliesToNode, placeMatches, type Place } from './match.js';
import { ruleById } from '../assess/catalogue.js';
import { SANDBOX_KEYS, type Policy, type PolicyEntry } from './policy.js';

export interface EntryPreview {
  entry: PolicyEntry;
  expired: boolean;
  /** Whether its node glob admits this node. */
  forThisNode: boolean;
  /** Findings it acknowledges on this node. */
  acknowledges: Array<{ finding: Finding; sandbox: Sandbox | null }>;
  /** Findings it matches that an earlier entry acknowledges first (file order wins). */
  shadowed: number;
  /** Why it may match nothing here, beyond the obvious (e.g. runtimeClass unknown on this node). */
  notes: string[];
}

export function previewPolicy(policy: Policy, report: Report, nowMs: number): EntryPreview[] {
  const places: Array<{ finding: Finding; place: Place; sandbox: Sandbox | null }> = [
    ...report.findings.map((finding) => ({ finding, place: { node: report.node.hostname, sandbox: null }, sandbox: null })),
    ...report.sandboxes.flatMap((s) => s.findings.map((finding) => ({ finding, place: { node: report.node.hostname, sandbox: s }, sandbox: s }))),
  ];
  return policy.entries.map((entry) => {
    const expired = nowMs >= entry.expiresAtMs;
    const matching = expired ? [] : places.filter(({ finding, place }) => entry.rules.includes(finding.rule) && placeMatches(entry, place));
    const first = matching.filter(({ finding, place }) => acknowledgingEntry(policy.entries, finding, place, nowMs) === entry);
    return {
      entry,
      expired,
      forThisNode: appliesToNode(entry, report.node),
      acknowledges: first.map(({ finding, sandbox }) => ({ finding, sandbox })),
      shadowed: matching.length - first.length,
      notes: notesFor(entry, report),
    };
  });
}

function notesFor(entry: PolicyEntry, report: Report): string[] {
  const notes: string[] = [];
  const trusted = report.sandboxes.filter((s) => s.trusted);
  const sandboxKeys = SANDBOX_KEYS.filter((key) => entry.match[key] !== undefined);
  if (sandboxKeys.length > 0 && entry.rules.every((id) => ruleById(id)?.scope === 'host')) {
    notes.push(`host findings match on node only: with ${sandboxKeys.join(', ')} this entry matches none of its host rules`);
  }
  if (entry.match.runtimeClass !== undefined && !trusted.some((s) => typeof s.pod.runtimeClass === 'string')) {
    notes.push('runtimeClass matches nothing here: no trusted sandbox on this node has a known runtime handler (its bundle carries no io.kubernetes.cri.runtime-handler annotation)');
  }
  if (entry.match.node !== undefined && !appliesToNode(entry, report.node)) {
    notes.push(`not for this node: node "${entry.match.node}" does not match the hostname "${report.node.hostname ?? '(unknown)'}"`);
  }
  const lookAlikeKeys = entry.match.sandbox?.startsWith('untrusted:') || entry.match.sandbox?.startsWith('unverified:');
  if (lookAlikeKeys && (entry.match.pod ?? entry.match.namespace ?? entry.match.runtimeClass ?? entry.match.vmm) !== undefined) {
    notes.push('a look-alike is never matched by pod, namespace, runtimeClass or vmm: with those keys this entry matches no look-alike');
  }
  return notes;
}
