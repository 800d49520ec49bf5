// The findings section: one row per rule (severity, title, remediation once, and every place it occurs with
// its evidence), active rules first and acknowledged places in a group of their own below: accepted on purpose,
// shown, never hidden.
import type { Report } from '../model/report.js';
import { allFindings, groupFindings, type Place, type RuleGroup } from './findings-by-rule.js';
import { badge } from './html-bits.js';
import { placeHtml } from './html-sandbox.js';
import { escapeHtml as e, renderCodeSpans, ruleHref } from './html-text.js';
import type { OrderedSandbox } from './sandbox-order.js';

export function findingsSection(report: Report, ordered: readonly OrderedSandbox[]): string {
  const anchors = new Map(ordered.map((entry) => [entry.sandbox.id, entry]));
  const { active, acknowledged } = groupFindings(allFindings(report));
  const count = (groups: readonly RuleGroup[]): number => groups.reduce((n, g) => n + g.places.length, 0);
  const activeHtml = active.length === 0
    ? '<p class="ok">No active finding.</p>'
    : `<p>${active.length} rule${active.length === 1 ? '' : 's'} in ${count(active)} place${count(active) === 1 ? '' : 's'}, most severe first.</p>${groupsTable(active, anchors, 'findings-active')}`;
  const ackHtml = acknowledged.length === 0 ? '' : `<h3 id="acknowledged">Acknowledged</h3>
<p>Accepted on purpose by a policy entry: shown here with who answers for each and until when; they do not page.</p>
${groupsTable(acknowledged, anchors, 'findings-acknowledged')}`;
  return `<section id="findings"><h2>Findings</h2>
${activeHtml}
${ackHtml}
</section>`;
}

function groupsTable(groups: readonly RuleGroup[], anchors: ReadonlyMap<string, OrderedSandbox>, id: string): string {
  const rows = groups.map((g) => `<tr class="finding" id="${e(id)}-${e(g.rule)}">
<td data-label="Severity">${badge(g.severity)}</td>
<td data-label="Rule" class="rule"><a class="mono" href="${ruleHref(g.rule)}">${e(g.rule)}</a></td>
<td data-label="What and where" class="wrap"><strong>${e(g.title)}</strong><ul class="places">${g.places.map((p) => placeItem(p, g, anchors)).join('')}</ul></td>
<td data-label="Remediation" class="wrap remediation">${renderCodeSpans(g.remediation)}</td>
</tr>`).join('\n');
  return `<table class="findings cards" id="${e(id)}"><thead><tr><th>Severity</th><th>Rule</th><th>What and where</th><th>Remediation</th></tr></thead><tbody>
${rows}
</tbody></table>`;
}

function placeItem(place: Place, group: RuleGroup, anchors: ReadonlyMap<string, OrderedSandbox>): string {
  // A place below the row's severity says so (a rule may raise some of its findings).
  const severity = place.severity === group.severity ? '' : ` ${badge(place.severity)}`;
  const ack = place.acknowledgement
    ? `<br><span class="ack">acknowledged by <strong>${e(place.acknowledgement.owner)}</strong> until ${e(place.acknowledgement.expires)}: ${e(place.acknowledgement.reason)}</span>`
    : '';
  return `<li>${placeHtml(place.sandboxId, anchors)}${severity}: <span class="evidence">${e(place.evidence)}</span>${ack}</li>`;
}
