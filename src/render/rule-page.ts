// /rules/<ID>: one rule on a page of its own, for the SRE who followed a rule link from the landing page: what
// it guards in the threat model, why, how to fix it, which alert reads it and its runbook section, and where it
// occurs on this node now. The id is checked against the catalogue before anything else uses it.
import { RULE_ID_PATTERN, ruleAnchor, ruleById, type CatalogueRule } from '../assess/catalogue.js';
import type { Report } from '../model/report.js';
import { allFindings, groupFindings, type RuleGroup } from './findings-by-rule.js';
import { badge } from './html-bits.js';
import { page, type HtmlOptions } from './html-page.js';
import { placeHtml } from './html-sandbox.js';
import { escapeHtml as e, renderCodeSpans } from './html-text.js';
import { alertsForRule } from './rule-alerts.js';
import { splitRationale } from './rule-rationale.js';
import { orderSandboxes, type OrderedSandbox } from './sandbox-order.js';
import { placementOfArea } from './threat-model.js';

const RULES_DOC_URL = 'https://github.com/kata-audit/kata-audit/blob/main/docs/rules.md';

/** The catalogue rule a path segment names, or undefined. Ids are matched in upper case (docs anchors are lower). */
export function ruleForPathSegment(segment: string): CatalogueRule | undefined {
  if (segment.length > 32) return undefined;
  const id = segment.toUpperCase();
  return RULE_ID_PATTERN.test(id) ? ruleById(id) : undefined;
}

/** `report` is null when the last scan failed: the rule's text is still worth showing. */
export function renderRulePage(rule: CatalogueRule, report: Report | null, options: HtmlOptions): string {
  const { threatModel, why } = splitRationale(rule.rationale);
  const area = /^KATA-([A-Z]+)-/.exec(rule.id)?.[1] ?? '';
  const body = `<section id="rule"><h2><span class="mono">${e(rule.id)}</span> ${badge(rule.severity)}</h2>
<p><strong>${e(rule.title)}</strong></p>
<dl class="facts">
<dt>Severity</dt><dd>${e(rule.severity)}${rule.escalation ? `, raised to ${e(rule.escalation.severity)} when ${e(rule.escalation.when)}` : ''}</dd>
<dt>Scope</dt><dd>${rule.scope === 'sandbox' ? 'sandbox: one finding per affected sandbox' : `host: findings carry no sandbox id; raises every sandbox's exposure score: ${rule.raisesSandboxExposure === true ? 'yes' : 'no'}`}</dd>
<dt>Threat model</dt><dd>${e(threatModel ?? 'not stated')}</dd>
<dt>On the diagrams</dt><dd>${e(placementOfArea(area))}</dd>
</dl>
<h3>Why</h3><p>${renderCodeSpans(why)}</p>
<h3>Remediation</h3><p class="remediation">${renderCodeSpans(rule.remediation)}</p>
${alertsHtml(rule)}
${report === null ? '<h3>On this node now</h3><p class="bad">The last scan failed; see the <a href="/">node page</a>.</p>' : occurrencesHtml(rule, report)}
<p class="legend">Also in the rule catalogue: <a href="${e(`${RULES_DOC_URL}#${ruleAnchor(rule.id)}`)}">docs/rules.md#${e(ruleAnchor(rule.id))}</a>, and on the node: <code>kata-audit explain ${e(rule.id)}</code>.</p>
</section>`;
  return page(rule.id, options, body, `rule ${rule.id}`);
}

function alertsHtml(rule: CatalogueRule): string {
  const alerts = alertsForRule(rule);
  if (alerts.length === 0) return '<h3>Alerts and runbook</h3><p>No shipped alert fires on this rule alone: its findings are in the report, on this page and in <code>kata_audit_finding</code>, for a dashboard or an alert of your own.</p>';
  const items = alerts.map((a) => `<li><a href="${e(a.url)}">${e(a.alert)}</a>: reads <code>${e(a.reads)}</code></li>`).join('');
  return `<h3>Alerts and runbook</h3><p>The shipped alerts (deploy/prometheus/alerts.yaml) that fire on this rule's findings, each linked to its runbook section:</p><ul>${items}</ul>`;
}

function occurrencesHtml(rule: CatalogueRule, report: Report): string {
  const ordered: OrderedSandbox[] = orderSandboxes(report.sandboxes);
  const anchors = new Map(ordered.map((entry) => [entry.sandbox.id, entry]));
  const { active, acknowledged } = groupFindings(allFindings(report).filter((f) => f.rule === rule.id));
  if (active.length === 0 && acknowledged.length === 0) return '<h3>On this node now</h3><p class="ok">No finding of this rule on this node.</p>';
  const list = (groups: readonly RuleGroup[], ack: boolean): string => groups.flatMap((g) => g.places).map((p) => {
    const place = placeHtml(p.sandboxId, anchors, '/');
    const note = ack && p.acknowledgement ? ` <span class="ack">acknowledged by ${e(p.acknowledgement.owner)} until ${e(p.acknowledgement.expires)}: ${e(p.acknowledgement.reason)}</span>` : '';
    return `<li>${place} ${badge(p.severity)}: <span class="evidence">${e(p.evidence)}</span>${note}</li>`;
  }).join('');
  return `<h3>On this node now</h3>${active.length > 0 ? `<ul class="places">${list(active, false)}</ul>` : ''}${acknowledged.length > 0 ? `<h4>Acknowledged</h4><ul class="places">${list(acknowledged, true)}</ul>` : ''}`;
}

/** The 404 of the web UI's pages: same frame, same CSP. The asked-for text is not echoed back. */
export function renderNotFoundHtml(options: HtmlOptions): string {
  return page('not found', options, '<section id="not-found"><h2>Not found</h2><p>No such rule. <a href="/">The node page</a> links every rule that has a finding; <code>kata-audit rules</code> lists them all.</p></section>');
}
