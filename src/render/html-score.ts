// The exposure score on the page: what it means (the legend) and what makes it up (the contributions, when the
// scoring stage listed them).
import { SEVERITY_WEIGHTS } from '../assess/exposure-score.js';
import { SEVERITIES, type Sandbox } from '../model/report.js';
import { badge } from './html-bits.js';
import { escapeHtml as e, ruleHref } from './html-text.js';

export function scoreLegend(): string {
  const weights = [...SEVERITIES].reverse().map((s) => `${s} ${SEVERITY_WEIGHTS[s].toFixed(2)}`).join(', ');
  return `<p class="legend" id="score-legend"><strong>Exposure</strong> is 0 to 100, higher is more exposed. Each rule counts once, at its strongest severity, with the weight of that severity (${e(weights)}); the weights combine like independent chances of a breach: score = 100 × (1 − Π (1 − weight)). Host findings that cross every VM boundary (CPU flaws) count for every sandbox. Each sandbox's panel lists what makes up its score when the report carries it.</p>`;
}

export function contributionsHtml(s: Sandbox): string {
  const list = s.scoreContributions;
  if (list === undefined) return '';
  if (list.length === 0) return `<p>Exposure <strong>${s.exposureScore}</strong>: no finding counts.</p>`;
  const rows = list.map((c) => `<tr><td><a class="mono" href="${ruleHref(c.rule)}">${e(c.rule)}</a></td><td>${badge(c.severity)}</td><td class="num">${c.weight.toFixed(2)}</td><td>${c.scope === 'host' ? 'host finding' : 'this sandbox'}</td></tr>`).join('\n');
  return `<h4>Exposure ${s.exposureScore}: what makes it up</h4>
<table class="contributions"><thead><tr><th>Rule</th><th>Severity</th><th>Weight</th><th>From</th></tr></thead><tbody>
${rows}
</tbody></table>`;
}
