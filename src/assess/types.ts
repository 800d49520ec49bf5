import type { Finding, HostFacts, PolicySummary, Report, Sandbox, Severity } from '../model/report.js';

/** What the rules judge: the report before verdicts. Rules never touch the filesystem. */
export interface AssessInput {
  node: Report['node'];
  host: HostFacts;
  sandboxes: Array<Omit<Sandbox, 'findings' | 'exposureScore'>>;
  /**
   * What each acknowledgement of the --policy.file did, set only for the policy pass that follows the
   * matching (src/policy/apply.ts); the KATA-POLICY rules judge it and find nothing without it.
   */
  policy?: PolicySummary;
}

export type RuleScope = 'sandbox' | 'host';

export interface Rule {
  /** Stable id, never reused: KATA-<AREA>-<NNN>. */
  id: string;
  severity: Severity;
  title: string;
  scope: RuleScope;
  /** Which part of the threat model this rule guards (the "why"). */
  rationale: string;
  remediation: string;
  /**
   * Host rules only: whether a finding also raises the exposure score of every sandbox on the node
   * (e.g. a CPU vulnerability that crosses the VM boundary).
   */
  raisesSandboxExposure?: boolean;
}

/** One rule's evaluation: pure function from input to zero or more findings (evidence filled in). */
export type RuleCheck = (input: AssessInput) => Finding[];
