// `kata-audit explain KATA-XXX-NNN`: one rule in full, for the SRE who just read its id in a table or an alert.
import { ruleAnchor, ruleById, type CatalogueRule } from '../assess/catalogue.js';
import { UsageError } from '../errors.js';
import { wrap } from './rules-output.js';
import { splitRationale } from './rule-rationale.js';
import { safeText } from './safe-text.js';

const WIDTH = 80;
/** Where docs/rules.md is published; the same base the alert rules' runbook links use. */
const RULES_DOC_URL = 'https://github.com/kata-audit/kata-audit/blob/main/docs/rules.md';

/** The rule's text, or a usage error naming the id when the catalogue has no such rule (ids are case-blind). */
export function renderExplain(ruleId: string): string {
  const rule = ruleById(ruleId.toUpperCase());
  if (!rule) throw new UsageError(`unknown rule id "${safeText(ruleId)}" (kata-audit rules lists them)`, ruleId);
  return explainRule(rule);
}

function explainRule(rule: CatalogueRule): string {
  const { threatModel, why } = splitRationale(rule.rationale);
  const field = (label: string, text: string): string[] => ['', ...wrap(`${label}: ${safeText(text)}`, WIDTH)];
  const out = [`${rule.id}  ${rule.severity}  ${rule.scope}`, ...wrap(safeText(rule.title), WIDTH)];
  if (rule.escalation) out.push(...field('Raised to', `${rule.escalation.severity} when ${rule.escalation.when}`));
  out.push(...field('Scope', rule.scope === 'sandbox'
    ? 'sandbox (one finding per affected sandbox)'
    : `host (findings carry no sandbox id); raises every sandbox's exposure score: ${rule.raisesSandboxExposure === true ? 'yes' : 'no'}`));
  if (threatModel) out.push(...field('Threat model', threatModel));
  out.push(...field('Why', why), ...field('Remediation', rule.remediation));
  out.push('', `Docs: docs/rules.md#${ruleAnchor(rule.id)} (in the package)`, `  ${RULES_DOC_URL}#${ruleAnchor(rule.id)}`);
  return `${out.join('\n')}\n`;
}
