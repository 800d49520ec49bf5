// The one severity ranking. Every sort, threshold and "strongest finding" question asks this module, so the
// order cannot drift between the score, the table, the page and --fail-on.

import { SEVERITIES, type Severity } from './report.js';

/** 0 for info up to 4 for critical: the position in SEVERITIES. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/** Sort comparator: most severe first. */
export function bySeverityDescending(a: { severity: Severity }, b: { severity: Severity }): number {
  return severityRank(b.severity) - severityRank(a.severity);
}

export function isAtLeast(severity: Severity, threshold: Severity): boolean {
  return severityRank(severity) >= severityRank(threshold);
}
