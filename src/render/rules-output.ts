// `kata-audit rules`: the catalogue for people (table), for tools (json) and for the docs site (markdown,
// committed as docs/rules.md; a test fails when that file is stale). Pure functions of the catalogue.

import { RULES, ruleAnchor, type CatalogueRule } from '../assess/catalogue.js';
import { EXPOSURE_SCORE_MARKDOWN } from '../assess/exposure-score.js';
import { safeText } from './safe-text.js';

export type RulesFormat = 'table' | 'json' | 'markdown';

export function renderRules(format: RulesFormat): string {
  switch (format) {
    case 'table': return renderTable(RULES);
    case 'json': return renderJson(RULES);
    case 'markdown': return renderMarkdown(RULES);
  }
}

// --- table: plain text, fits 80 columns; titles wrap inside their column ---

const TABLE_WIDTH = 80;
const GAP = '  ';

/** Greedy word wrap; a word longer than the width is cut, so no line ever exceeds it. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (let word of text.split(/\s+/).filter(Boolean)) {
    while (word.length > width) {
      if (line) { lines.push(line); line = ''; }
      lines.push(word.slice(0, width));
      word = word.slice(width);
    }
    if (!line) line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else { lines.push(line); line = word; }
  }
  if (line) lines.push(line);
  return lines.length > 0 ? lines : [''];
}

function severityCell(rule: CatalogueRule): string {
  return rule.escalation ? `${rule.severity}+` : rule.severity;
}

function renderTable(rules: readonly CatalogueRule[]): string {
  const idWidth = Math.max(2, ...rules.map((r) => r.id.length));
  const sevWidth = Math.max('SEVERITY'.length, ...rules.map((r) => severityCell(r).length));
  const scopeWidth = Math.max('SCOPE'.length, ...rules.map((r) => r.scope.length));
  const indent = idWidth + sevWidth + scopeWidth + GAP.length * 3;
  const titleWidth = TABLE_WIDTH - indent;
  const row = (id: string, sev: string, scope: string, title: string): string =>
    [id.padEnd(idWidth), sev.padEnd(sevWidth), scope.padEnd(scopeWidth), title].join(GAP).trimEnd();
  // The catalogue is ours, but this is terminal output: no string reaches it unescaped (see safe-text.ts).

  const out = [row('ID', 'SEVERITY', 'SCOPE', 'TITLE')];
  for (const rule of rules) {
    const [first = '', ...rest] = wrap(safeText(rule.title), titleWidth);
    out.push(row(safeText(rule.id), severityCell(rule), rule.scope, first));
    for (const line of rest) out.push(' '.repeat(indent) + line);
  }
  out.push('');
  out.push(...wrap(`${rules.length} rules. "+": the rule raises its severity in documented cases. Rationale and ` +
    'remediation: kata-audit rules --format markdown (or docs/rules.md).', TABLE_WIDTH));
  return `${out.join('\n')}\n`;
}

// --- json: an array of rule objects, the catalogue's own fields plus the docs anchor ---

function renderJson(rules: readonly CatalogueRule[]): string {
  const objects = rules.map((rule) => ({
    id: rule.id,
    severity: rule.severity,
    title: rule.title,
    scope: rule.scope,
    rationale: rule.rationale,
    remediation: rule.remediation,
    raisesSandboxExposure: rule.raisesSandboxExposure === true,
    escalation: rule.escalation ?? null,
    anchor: ruleAnchor(rule.id),
  }));
  return `${JSON.stringify(objects, null, 2)}\n`;
}

// --- markdown: the docs page ---

function renderMarkdown(rules: readonly CatalogueRule[]): string {
  const parts: string[] = [
    '# kata-audit rule catalogue',
    '',
    '<!-- Generated from src/assess/catalogue.ts by `kata-audit rules --format markdown`. Do not edit by hand:',
    '     change the catalogue, then run `npm run update-golden`. A test fails when this file is stale. -->',
    '',
    'Each rule is one piece of the Kata Containers threat model, written down as data: which host component an',
    'untrusted workload can reach (in-kernel vhost backends first, then the VMM, then confined vhost-user daemons',
    'such as virtiofsd, plus VFIO pass-through, hotplug, the CPU and the Kata configuration) and how well it is',
    'fenced. A finding names its rule, a severity, the sandbox (or none for the host), the evidence observed on',
    'the node, and the remediation below.',
    '',
    '## Rule ids are stable',
    '',
    'Ids have the form `KATA-<AREA>-<NNN>` (areas: NET, VSOCK, BLK, VFS, VFIO, VMM, HOTPLUG, HOST, CPU, CFG,',
    'TRUST). An id is never renumbered and never reused: a rule whose meaning changes gets a new id, and a retired',
    'id stays retired. Alerts, silences and runbooks can key on them. Each rule has a section below whose anchor',
    'is its id in lower case, e.g. `docs/rules.md#kata-vfs-002`, so runbook links survive title changes.',
    '',
    '## Severity and the exposure score',
    '',
    'Severities are `info`, `low`, `medium`, `high` and `critical`. A rule has one base severity; a few rules',
    'document one case in which a finding is raised (shown as "raised to" below, and as `+` in',
    '`kata-audit rules`). Nothing else changes a severity.',
    '',
    EXPOSURE_SCORE_MARKDOWN,
    '',
    '## Untrusted sandboxes',
    '',
    'A process that only looks like a Kata VMM (executable not on the allowed list, foreign pid namespace, uid',
    'different from its shim\'s) or a VMM without a live shim is reported as an untrusted sandbox. Untrusted',
    'sandboxes are judged by the TRUST rules only: their devices and hardening are not a pod\'s exposure, and a',
    'workload must not be able to flood the findings by starting look-alikes. Host rules that count sandboxes',
    '(for instance KATA-HOST-001) count trusted sandboxes only.',
    '',
    '## Summary',
    '',
    '| Id | Severity | Scope | Title |',
    '|---|---|---|---|',
    ...rules.map((r) => `| [${r.id}](#${ruleAnchor(r.id)}) | ${r.severity}${r.escalation ? ` (${r.escalation.severity} when raised)` : ''} | ${r.scope} | ${r.title} |`),
    '',
    '## Rules',
  ];
  for (const rule of rules) {
    parts.push('', `### ${rule.id}`, '', `**${rule.title}**`, '');
    parts.push(`- Severity: ${rule.severity}`);
    if (rule.escalation) parts.push(`- Raised to ${rule.escalation.severity} when ${rule.escalation.when}`);
    parts.push(`- Scope: ${rule.scope === 'sandbox' ? 'sandbox (one finding per affected sandbox)' : 'host (findings carry no sandbox id)'}`);
    if (rule.scope === 'host') {
      parts.push(`- Raises every sandbox's exposure score: ${rule.raisesSandboxExposure === true ? 'yes' : 'no'}`);
    }
    parts.push('', `Why: ${rule.rationale}`, '', `Remediation: ${rule.remediation}`);
  }
  return `${parts.join('\n')}\n`;
}
