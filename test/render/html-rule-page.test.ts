// /rules/<ID> pages: the rule in full (threat-model tier, why, remediation with code spans), the alerts that
// read it with their runbook sections, where it occurs on this node now; and the rule-to-alert table held
// against deploy/prometheus/alerts.yaml and docs/runbook.md, so the links cannot drift from the alerts.
import { readFileSync } from 'node:fs';
import test from 'ava';
import { parse as parseYaml } from 'yaml';
import { RULES, ruleById } from '../../src/assess/catalogue.js';
import { PAGE_STYLE } from '../../src/render/html-style.js';
import { alertsForRule, runbookUrl, RUNBOOK_URL } from '../../src/render/rule-alerts.js';
import { renderNotFoundHtml, renderRulePage, ruleForPathSegment } from '../../src/render/rule-page.js';
import { repoPath } from '../helpers/deploy.js';
import { sampleFinding, sampleReport, sampleSandbox, SANDBOX_A } from '../export/sample-report.js';

const options = { telemetryPath: '/metrics' };

interface AlertRule { alert?: string; expr?: string; annotations?: { runbook_url?: string } }

function shippedAlerts(): AlertRule[] {
  const file = parseYaml(readFileSync(repoPath('deploy/prometheus/alerts.yaml'), 'utf8')) as { groups: Array<{ rules: AlertRule[] }> };
  return file.groups.flatMap((g) => g.rules).filter((r) => r.alert !== undefined);
}

test('path segments: catalogue ids only, in either case; anything else is no rule', (t) => {
  t.is(ruleForPathSegment('KATA-VMM-001')?.id, 'KATA-VMM-001');
  t.is(ruleForPathSegment('kata-vmm-001')?.id, 'KATA-VMM-001');
  for (const bad of ['KATA-VMM-999', 'KATA-NOPE-001', 'KATA-VMM-001/x', '', '..', 'KATA-VMM-001\u0000', `KATA-VMM-${'0'.repeat(100)}`, '<script>']) {
    t.is(ruleForPathSegment(bad), undefined, JSON.stringify(bad));
  }
});

test('a rule page has the rule in full: tier, why, remediation with code spans, diagram placement, docs', (t) => {
  const rule = ruleById('KATA-NET-001')!;
  const html = renderRulePage(rule, sampleReport(), options);
  t.true(html.includes(`<style>${PAGE_STYLE}</style>`));
  t.false(/<script/i.test(html));
  t.true(html.includes('<title>kata-audit: KATA-NET-001</title>'));
  t.true(html.includes(rule.title));
  t.true(html.includes('<dt>Threat model</dt><dd>in-kernel vhost backends (the riskiest tier)</dd>'));
  t.true(html.includes('the host kernel for vhost'));
  t.true(html.includes('<code>disable_vhost_net = true</code>'));
  t.false(/<p[^>]*>[^<]*`/.test(html.slice(html.indexOf('<h3>Why</h3>'), html.indexOf('<h3>Alerts'))), 'no literal backtick in the prose');
  t.true(html.includes('docs/rules.md#kata-net-001'));
});

test('a rule page links the runbook section of each alert that reads it', (t) => {
  const html = renderRulePage(ruleById('KATA-VMM-001')!, null, options);
  t.true(html.includes(`<a href="${RUNBOOK_URL}#kataaudithighseverityfinding">KataAuditHighSeverityFinding</a>`));
  const trust = renderRulePage(ruleById('KATA-TRUST-001')!, null, options);
  t.true(trust.includes('#kataaudituntrustedvmm">KataAuditUntrustedVmm</a>'));
  t.false(trust.includes('KataAuditCriticalFinding'), 'TRUST-001 has its own alert and is left out of the critical one');
  const quiet = renderRulePage(ruleById('KATA-HOTPLUG-001')!, null, options);
  t.true(quiet.includes('No shipped alert fires on this rule alone'));
  t.true(quiet.includes('The last scan failed'), 'without a report the rule text still renders');
});

test('a rule page lists where the rule occurs on this node now, look-alikes marked, acknowledgements apart', (t) => {
  const ack = { reason: 'accepted', owner: 'team-a', expires: '2030-01-01' };
  const report = sampleReport({
    sandboxes: [
      sampleSandbox(SANDBOX_A, { findings: [{ ...sampleFinding('KATA-VMM-001', 'high', SANDBOX_A), evidence: 'qemu pid 1 has Seccomp 0' }] }),
      sampleSandbox(`untrusted:${SANDBOX_A}`, { trusted: false, trust: 'untrusted', claimedId: SANDBOX_A, exposureScore: 0, findings: [{ ...sampleFinding('KATA-VMM-001', 'high', `untrusted:${SANDBOX_A}`), acknowledgement: ack }] }),
    ],
  });
  const html = renderRulePage(ruleById('KATA-VMM-001')!, report, options);
  const now = html.slice(html.indexOf('<h3>On this node now</h3>'));
  t.true(now.includes('href="/#sandbox-1"'), 'links the panel on the landing page');
  t.true(now.includes('qemu pid 1 has Seccomp 0'));
  const acked = now.slice(now.indexOf('<h4>Acknowledged</h4>'));
  t.true(acked.includes('look-alike') && acked.includes('team-a'));
  t.true(renderRulePage(ruleById('KATA-VFS-002')!, report, options).includes('No finding of this rule on this node.'));
});

test('the not-found page shares the frame and does not echo the request', (t) => {
  const html = renderNotFoundHtml(options);
  t.true(html.includes(`<style>${PAGE_STYLE}</style>`));
  t.true(html.includes('No such rule.'));
});

test('the rule-to-alert table agrees with deploy/prometheus/alerts.yaml and docs/runbook.md', (t) => {
  const alerts = shippedAlerts();
  const byName = new Map(alerts.map((a) => [a.alert!, a]));
  const runbook = readFileSync(repoPath('docs/runbook.md'), 'utf8');
  const anchors = new Set([...runbook.matchAll(/^## (\S+)\s*$/gm)].map((m) => m[1]!.toLowerCase()));
  for (const rule of RULES) {
    for (const ref of alertsForRule(rule)) {
      const alert = byName.get(ref.alert);
      t.truthy(alert, `${rule.id}: no alert ${ref.alert}`);
      t.is(alert?.annotations?.runbook_url, ref.url, `${ref.alert}: runbook link`);
      t.true(anchors.has(ref.alert.toLowerCase()), `docs/runbook.md has no section ${ref.alert}`);
    }
  }
  // Every rule an alert's expression names is mapped to that alert (or excluded from it, rule!=).
  for (const alert of alerts) {
    for (const m of (alert.expr ?? '').matchAll(/rule="(KATA-[A-Z]+-\d{3})"/g)) {
      const rule = ruleById(m[1]!);
      t.truthy(rule, `${alert.alert} names unknown rule ${m[1]}`);
      if (rule) t.true(alertsForRule(rule).some((a) => a.alert === alert.alert), `${rule.id} should list ${alert.alert}`);
    }
  }
  // The severity alerts read kata_audit_finding by severity: every high rule lists the high alert.
  const highAlert = alerts.find((a) => /kata_audit_finding\{severity="high"/.test(a.expr ?? ''))!.alert!;
  for (const rule of RULES.filter((r) => r.severity === 'high' || r.escalation?.severity === 'high')) {
    t.true(alertsForRule(rule).some((a) => a.alert === highAlert), `${rule.id} -> ${highAlert}`);
  }
  t.is(runbookUrl('KataAuditDown'), `${RUNBOOK_URL}#kataauditdown`);
});
