// Findings as the page lists them: one entry per rule with every place it occurs (a sandbox or the host), so
// the host's four KATA-CFG-001 findings are one row with one remediation and four places. Acknowledged places
// (a policy entry accepts them) form groups of their own, shown apart and never dropped.
import { compareCodeUnits } from '../model/compare.js';
import type { Acknowledgement, Finding, Report, Severity } from '../model/report.js';
import { severityRank } from '../model/severity.js';

export interface Place {
  /** null for the host. */
  sandboxId: string | null;
  severity: Severity;
  evidence: string;
  acknowledgement: Acknowledgement | null;
}

export interface RuleGroup {
  rule: string;
  /** The strongest severity among the places (a rule may raise some findings, see its escalation). */
  severity: Severity;
  title: string;
  remediation: string;
  places: Place[];
}

export interface GroupedFindings { active: RuleGroup[]; acknowledged: RuleGroup[] }

export function allFindings(report: Pick<Report, 'findings' | 'sandboxes'>): Finding[] {
  return [...report.findings, ...report.sandboxes.flatMap((s) => s.findings)];
}

export function groupFindings(findings: readonly Finding[]): GroupedFindings {
  return {
    active: groupByRule(findings.filter((f) => f.acknowledgement == null)),
    acknowledged: groupByRule(findings.filter((f) => f.acknowledgement != null)),
  };
}

/** Most severe rule first, then by id; places: the host first, then sandboxes by id, then evidence. */
export function groupByRule(findings: readonly Finding[]): RuleGroup[] {
  const groups = new Map<string, RuleGroup>();
  for (const f of findings) {
    const place: Place = { sandboxId: f.sandboxId, severity: f.severity, evidence: f.evidence, acknowledgement: f.acknowledgement ?? null };
    const group = groups.get(f.rule);
    if (group === undefined) {
      groups.set(f.rule, { rule: f.rule, severity: f.severity, title: f.title, remediation: f.remediation, places: [place] });
      continue;
    }
    group.places.push(place);
    if (severityRank(f.severity) > severityRank(group.severity)) group.severity = f.severity;
  }
  const list = [...groups.values()];
  for (const group of list) group.places.sort(comparePlaces);
  return list.sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || compareCodeUnits(a.rule, b.rule));
}

function comparePlaces(a: Place, b: Place): number {
  if (a.sandboxId !== b.sandboxId) {
    if (a.sandboxId === null) return -1;
    if (b.sandboxId === null) return 1;
    return compareCodeUnits(a.sandboxId, b.sandboxId);
  }
  return compareCodeUnits(a.evidence, b.evidence);
}
