// Runs the rule catalogue over one AssessInput: findings per sandbox and for the host, an exposure score per
// sandbox. Pure: same input, same output, in the same order.
//
// Sandbox-scope checks run once per sandbox, each time on an input holding only that sandbox. Findings then
// belong to that sandbox by construction, not by matching ids: a look-alike may claim a real sandbox's id, and
// id matching would file its findings under the real one. It also confines a check that throws on one odd
// sandbox to that sandbox.

import type { Finding, ScoreContribution } from '../model/report.js';
import type { AssessInput, RuleCheck } from './types.js';
import { RULES, type RuleId } from './catalogue.js';
import { BLK_CHECKS } from './checks/blk.js';
import { CFG_CHECKS } from './checks/cfg.js';
import { CPU_CHECKS } from './checks/cpu.js';
import { HOST_CHECKS } from './checks/host.js';
import { HOTPLUG_CHECKS } from './checks/hotplug.js';
import { NET_CHECKS } from './checks/net.js';
import { POLICY_CHECKS } from './checks/policy.js';
import { TEE_CHECKS } from './checks/tee.js';
import { TRUST_CHECKS } from './checks/trust.js';
import { VFIO_CHECKS } from './checks/vfio.js';
import { VFS_CHECKS } from './checks/vfs.js';
import { VMM_CHECKS } from './checks/vmm.js';
import { VSOCK_CHECKS } from './checks/vsock.js';
import { exposureScore, sandboxExposureFindings, scoreContributions } from './exposure-score.js';
import { severityRank } from '../model/severity.js';
import { messageOf } from '../errors.js';

/**
 * Every check, keyed by the rule id it implements. Typed over every RuleId: a rule the catalogue gains without a
 * check in some table fails to compile here.
 */
export const CHECKS: Readonly<Record<RuleId, RuleCheck>> = {
  ...BLK_CHECKS,
  ...CFG_CHECKS,
  ...CPU_CHECKS,
  ...HOST_CHECKS,
  ...HOTPLUG_CHECKS,
  ...NET_CHECKS,
  ...POLICY_CHECKS,
  ...TEE_CHECKS,
  ...TRUST_CHECKS,
  ...VFIO_CHECKS,
  ...VFS_CHECKS,
  ...VMM_CHECKS,
  ...VSOCK_CHECKS,
};

/** A rule that could not be evaluated (a check threw, or broke its contract); the rest of the assessment stands. */
export interface RuleFailure {
  rule: string;
  message: string;
}

export interface Assessment {
  hostFindings: Finding[];
  /** Same order as input.sandboxes. */
  sandboxFindings: Finding[][];
  /** Same order as input.sandboxes; 0..100, see exposure-score.ts. */
  scores: number[];
  /** Same order as input.sandboxes: what makes up each score. */
  contributions: ScoreContribution[][];
  failures: RuleFailure[];
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Severity (most severe first), then rule id, sandbox id (host first) and evidence: a total, locale-free order. */
export function compareFindings(a: Finding, b: Finding): number {
  return severityRank(b.severity) - severityRank(a.severity)
    || compareText(a.rule, b.rule)
    || compareText(a.sandboxId ?? '', b.sandboxId ?? '')
    || compareText(a.evidence, b.evidence);
}

/** A failure names the error's class too (TypeError, RangeError): it says which kind of bug a check has. */
function failureText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${messageOf(error)}` : messageOf(error);
}

export interface AssessOptions {
  /** Replaces the registered checks (tests use it to prove a throwing check is contained). */
  checks?: Readonly<Record<string, RuleCheck>>;
}

export function assess(input: AssessInput, options: AssessOptions = {}): Assessment {
  const checks = options.checks ?? CHECKS;
  const hostFindings: Finding[] = [];
  const sandboxFindings: Finding[][] = input.sandboxes.map(() => []);
  const failures: RuleFailure[] = [];

  for (const rule of RULES) {
    const check = checks[rule.id];
    if (!check) {
      failures.push({ rule: rule.id, message: 'no check is registered for this rule' });
      continue;
    }

    if (rule.scope === 'host') {
      try {
        for (const f of check(input)) {
          if (f.rule === rule.id && f.sandboxId === null) hostFindings.push(f);
          else failures.push({ rule: rule.id, message: `returned a finding for rule ${f.rule}, sandbox ${f.sandboxId ?? 'none'}; dropped` });
        }
      } catch (error) {
        failures.push({ rule: rule.id, message: failureText(error) });
      }
      continue;
    }

    let thrown = 0;
    let first = '';
    input.sandboxes.forEach((sandbox, index) => {
      try {
        for (const f of check({ ...input, sandboxes: [sandbox] })) {
          if (f.rule === rule.id && f.sandboxId === sandbox.id) sandboxFindings[index]?.push(f);
          else failures.push({ rule: rule.id, message: `returned a finding for rule ${f.rule}, sandbox ${f.sandboxId ?? 'none'} while judging sandbox ${sandbox.id}; dropped` });
        }
      } catch (error) {
        if (thrown++ === 0) first = `sandbox ${sandbox.id}: ${failureText(error)}`;
      }
    });
    // One entry per rule, not per sandbox: a check that trips on a shape trips on every sandbox of that shape.
    if (thrown > 0) {
      failures.push({ rule: rule.id, message: `threw on ${thrown} of ${input.sandboxes.length} sandboxes; first: ${first}` });
    }
  }

  for (const id of Object.keys(checks)) {
    if (!RULES.some((rule) => rule.id === id)) failures.push({ rule: id, message: 'a check is registered for a rule that is not in the catalogue' });
  }

  hostFindings.sort(compareFindings);
  for (const list of sandboxFindings) list.sort(compareFindings);
  const scores = sandboxFindings.map((list) => exposureScore(sandboxExposureFindings(list, hostFindings)));
  const contributions = sandboxFindings.map((list) => scoreContributions(list, hostFindings));
  failures.sort((a, b) => compareText(a.rule, b.rule) || compareText(a.message, b.message));
  return { hostFindings, sandboxFindings, scores, contributions, failures };
}
