// The exposure score: one number per sandbox, 0..100, higher means more exposed.
//
// Formula. Take the sandbox's own findings plus the host findings of rules marked raisesSandboxExposure
// (CPU flaws: they cross every VM boundary on the node). Count every rule once, at the highest severity
// among its findings. Give each rule the weight of that severity (critical 0.60, high 0.35, medium 0.15,
// low 0.05, info 0) and combine the weights like independent chances of a breach:
//
//     score = round(100 * (1 - Π (1 - w_rule)))
//
// Why this shape:
// - bounded: every factor is in [0.4, 1], so the product is in (0, 1] and the score in [0, 100];
// - monotone: a new finding adds a factor <= 1 or raises a rule's weight, so the score never drops;
// - diminishing: ten different medium rules score 80, not the 150 a plain sum would give, while one critical
//   plus one high already scores 74: severity dominates count;
// - explainable: every point comes from a finding listed next to the score, with its remediation. There is no
//   hidden term: a second vhost-net NIC runs the same kernel code as the first, so device counts are in the
//   evidence, not in the score, and one critical finding alone already means 60.
// - deterministic: rules are combined in id order, so the floating-point product does not depend on the
//   order findings arrived in.
// Reference points: QEMU with Kata defaults (vhost-net medium, vhost-vsock medium, VMM without seccomp high,
// VMM as root low) scores 55; a jailed Firecracker VM with its default seccomp filters scores 5.

import type { Finding, ScoreContribution, Severity } from '../model/report.js';
import { ruleById } from './catalogue.js';
import { severityRank } from '../model/severity.js';

export const SEVERITY_WEIGHTS: Readonly<Record<Severity, number>> = {
  critical: 0.6,
  high: 0.35,
  medium: 0.15,
  low: 0.05,
  info: 0,
};

/** The score of a set of findings, already chosen for one sandbox (see sandboxExposureFindings). */
export function exposureScore(findings: ReadonlyArray<Pick<Finding, 'rule' | 'severity'>>): number {
  const strongest = new Map<string, Severity>();
  for (const f of findings) {
    const seen = strongest.get(f.rule);
    if (seen === undefined || severityRank(f.severity) > severityRank(seen)) strongest.set(f.rule, f.severity);
  }
  let remaining = 1;
  for (const rule of [...strongest.keys()].sort()) {
    remaining *= 1 - SEVERITY_WEIGHTS[strongest.get(rule) as Severity];
  }
  return Math.min(100, Math.max(0, Math.round(100 * (1 - remaining))));
}

/** The findings that count for one sandbox: its own, and host findings of rules that raise every sandbox's exposure. */
export function sandboxExposureFindings(sandboxFindings: readonly Finding[], hostFindings: readonly Finding[]): Finding[] {
  return [...sandboxFindings, ...hostFindings.filter((f) => ruleById(f.rule)?.raisesSandboxExposure === true)];
}

/**
 * Why the score is what it is: one entry per rule that adds to it (weight > 0), at the severity it counts with,
 * in the order the formula combines them. Same choice of findings and rule as exposureScore, so the listed
 * weights always give back the score: round(100 * (1 - Π (1 - weight))).
 */
export function scoreContributions(sandboxFindings: readonly Finding[], hostFindings: readonly Finding[]): ScoreContribution[] {
  const strongest = new Map<string, { severity: Severity; scope: ScoreContribution['scope'] }>();
  const consider = (f: Finding, scope: ScoreContribution['scope']): void => {
    const seen = strongest.get(f.rule);
    if (seen === undefined || severityRank(f.severity) > severityRank(seen.severity)) strongest.set(f.rule, { severity: f.severity, scope });
  };
  for (const f of sandboxFindings) consider(f, 'sandbox');
  for (const f of hostFindings) if (ruleById(f.rule)?.raisesSandboxExposure === true) consider(f, 'host');
  return [...strongest.keys()].sort()
    .map((rule) => ({ rule, ...strongest.get(rule)! }))
    .map(({ rule, severity, scope }) => ({ rule, severity, weight: SEVERITY_WEIGHTS[severity], scope }))
    .filter((c) => c.weight > 0);
}

/** One line under a score, for the table and the landing page. */
export const SCORE_LEGEND = 'score = 100 x (1 - product of (1 - weight)) over its rules; weights: critical 0.60, high 0.35, medium 0.15, low 0.05, info 0; host CPU flaws count for every sandbox';

/** The formula for the README and docs/rules.md, kept next to the code it describes. */
export const EXPOSURE_SCORE_MARKDOWN = [
  'Every sandbox gets an exposure score from 0 to 100; a more exposed sandbox scores higher. The score counts',
  'the sandbox\'s own findings plus the host findings of rules marked "raises sandbox exposure" (CPU flaws that',
  'cross every VM boundary on the node). Each rule counts once, at the highest severity among its findings, with',
  'the weight of that severity: critical 0.60, high 0.35, medium 0.15, low 0.05, info 0. The weights combine like',
  'independent chances of a breach:',
  '',
  '```',
  'score = round(100 * (1 - Π over rules (1 - weight)))',
  '```',
  '',
  'So the score is bounded (0 to 100), never drops when a finding is added, and grows with diminishing returns:',
  'one critical finding alone scores 60, one high 35, and two mediums 28. Nothing else enters it: device counts',
  'and other details are in the evidence, and every point can be traced to a finding and its remediation.',
  'For reference, QEMU with Kata\'s defaults (vhost-net and vhost-vsock medium, no VMM seccomp high, VMM as root',
  'low) scores 55; a jailed Firecracker VM with its default seccomp filters scores 5.',
].join('\n');
