// Alerting and recording rules: promtool check rules is clean, promtool test rules passes, every alert is tested
// both firing and silent, and the conventions (names, severities, annotations, runbook anchors, metric names) hold.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import {
  AGGREGATE_ONLY_METRICS, goldenMetricFiles, METRICS_CONTRACT, metricNamesInExposition, metricNamesInPromQL, onPath,
  readYaml, repoPath, run, YAMLLINT_CONFIG,
} from '../helpers/deploy.js';
import { writeAlertsWithShortFor } from '../helpers/rules-with-short-for.js';

interface Rule { alert?: string; record?: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> }
interface RuleFile { groups: Array<{ name: string; interval?: string; rules: Rule[] }> }
interface AlertTest { alertname: string; eval_time: string; exp_alerts?: unknown[] | null }
interface TestFile { rule_files: string[]; tests: Array<{ name?: string; alert_rule_test?: AlertTest[] }> }

const ALERTS = repoPath('deploy/prometheus/alerts.yaml');
const RECORDING = repoPath('deploy/prometheus/recording-rules.yaml');
const TESTS_DIR = repoPath('deploy/prometheus/tests');
const RUNBOOK_BASE = 'https://github.com/kata-audit/kata-audit/blob/main/docs/runbook.md';

const alertRules = (): Rule[] => readYaml<RuleFile>(ALERTS).groups.flatMap((g) => g.rules);
const recordingRules = (): Rule[] => readYaml<RuleFile>(RECORDING).groups.flatMap((g) => g.rules);
const testFiles = (): string[] => readdirSync(TESTS_DIR).filter((f) => f.endsWith('.yaml')).sort().map((f) => path.join(TESTS_DIR, f));

test.before(() => {
  if (!onPath('promtool')) throw new Error('promtool is not installed: .ci/run installs it (apt-get install prometheus)');
});

test('promtool check rules is clean', async (t) => {
  const r = await run('promtool', ['check', 'rules', ALERTS, RECORDING]);
  t.is(r.code, 0, r.stdout + r.stderr);
  t.notRegex(r.stdout + r.stderr, /warning|lint|duplicate/i, r.stdout + r.stderr);
});

test('promtool test rules passes', async (t) => {
  const files = testFiles();
  t.true(files.length > 0);
  const r = await run('promtool', ['test', 'rules', ...files], { cwd: TESTS_DIR });
  t.is(r.code, 0, r.stdout + r.stderr);
});

test('every alert has a test case where it fires and one where it stays silent', (t) => {
  const fires = new Set<string>();
  const silent = new Set<string>();
  for (const file of testFiles()) {
    const parsed = readYaml<TestFile>(file);
    for (const c of parsed.tests ?? []) {
      for (const a of c.alert_rule_test ?? []) {
        (Array.isArray(a.exp_alerts) && a.exp_alerts.length > 0 ? fires : silent).add(a.alertname);
      }
    }
  }
  const names = alertRules().map((r) => r.alert!);
  for (const name of names) {
    t.true(fires.has(name), `${name} has no test case with non-empty exp_alerts`);
    t.true(silent.has(name), `${name} has no test case with empty exp_alerts`);
  }
  for (const tested of [...fires, ...silent]) t.true(names.includes(tested), `tests name an unknown alert ${tested}`);
});

test('alerts follow the conventions and link to an existing runbook section', (t) => {
  const runbook = existsSync(repoPath('docs/runbook.md')) ? readFileSync(repoPath('docs/runbook.md'), 'utf8') : '';
  const headings = new Set([...runbook.matchAll(/^#{2,3} (\S+)\s*$/gm)].map((m) => m[1]!.toLowerCase()));
  const names = new Set<string>();
  for (const rule of alertRules()) {
    const name = rule.alert!;
    t.regex(name, /^KataAudit[A-Z][A-Za-z]+$/, `${name}: alert names are KataAudit...`);
    t.false(names.has(name), `${name} is defined twice`);
    names.add(name);
    t.true(['critical', 'warning', 'info'].includes(rule.labels?.severity ?? ''), `${name}: severity critical|warning|info`);
    t.regex(rule.annotations?.summary ?? '', /^[A-Za-z].*\.$/, `${name}: summary is a sentence`);
    t.notRegex(rule.annotations?.summary ?? '', /\{\{/, `${name}: summary is static`);
    // absent() has no labels to name; every other alert says which node (or DaemonSet) it is about.
    if (!/^absent\(/.test(rule.expr.trim())) t.regex(rule.annotations?.description ?? '', /\$labels\.instance|\$labels\.namespace/, `${name}: description names where`);
    t.is(rule.annotations?.runbook_url, `${RUNBOOK_BASE}#${name.toLowerCase()}`, `${name}: runbook_url`);
    t.true(headings.has(name.toLowerCase()), `${name}: docs/runbook.md has no section "## ${name}"`);
    // An alert built on kata_audit_sandbox_info itself already carries the pod's labels.
    const onSandboxInfo = /^\(?\s*kata_audit_sandbox_info\{/.test(rule.expr.trim());
    if (!onSandboxInfo && /sandbox_id/.test(rule.expr) && /kata_audit_(finding|virtiofs_info|sandbox_devices)\{/.test(rule.expr)) {
      t.regex(rule.expr, /group_left\(pod_name, pod_namespace\) kata_audit_sandbox_info/, `${name}: joins the pod`);
      t.regex(rule.annotations?.description ?? '', /pod_name/, `${name}: description names the pod`);
    }
  }
  for (const required of ['KataAuditDown', 'KataAuditAbsent', 'KataAuditScanFailing', 'KataAuditCollectorFailing',
    'KataAuditCriticalFinding', 'KataAuditVirtiofsdNotSandboxed', 'KataAuditVirtiofsdWithoutSeccomp',
    'KataAuditVhostKernelBackend', 'KataAuditVfioUnsafeInterrupts', 'KataAuditVfioGroupNotViable',
    'KataAuditUntrustedVmm', 'KataAuditCpuVulnerable']) {
    t.true(names.has(required), `missing alert ${required}`);
  }
});

test('recording rules are named level:metric:operation and aggregate per cluster', (t) => {
  const names = recordingRules().map((r) => r.record!);
  for (const rule of recordingRules()) {
    t.regex(rule.record!, /^cluster:kata_audit_[a-z_]+:(sum|count)$/, rule.record!);
    t.regex(rule.expr, /by \(cluster\b/, `${rule.record!} aggregates by cluster`);
  }
  for (const required of ['cluster:kata_audit_sandboxes:sum', 'cluster:kata_audit_devices:sum', 'cluster:kata_audit_findings_by_rule:sum',
    'cluster:kata_audit_nodes_with_critical_findings:count']) {
    t.true(names.includes(required), `missing recording rule ${required}`);
  }
});

test('rules use only metrics of the contract (and of the fixture goldens, once they exist)', (t) => {
  const contract = new Set<string>(METRICS_CONTRACT);
  const golden = new Set<string>(AGGREGATE_ONLY_METRICS);
  const goldens = goldenMetricFiles();
  for (const file of goldens) for (const n of metricNamesInExposition(readFileSync(file, 'utf8'))) golden.add(n);
  for (const rule of [...alertRules(), ...recordingRules()]) {
    for (const metric of metricNamesInPromQL(rule.expr).filter((m) => m.startsWith('kata_audit_'))) {
      t.true(contract.has(metric), `${rule.alert ?? rule.record}: ${metric} is not in the metrics contract`);
      if (goldens.length > 0) t.true(golden.has(metric), `${rule.alert ?? rule.record}: ${metric} appears in no fixture golden`);
    }
  }
  if (goldens.length === 0) t.log('no test/fixtures/hosts/*/metrics.golden.prom yet: checked against the contract only');
});

test('writeAlertsWithShortFor copies the alerts with every for: shortened, and the copy loads', async (t) => {
  const file = writeAlertsWithShortFor('5s');
  t.teardown(() => rmSync(path.dirname(file), { recursive: true, force: true }));
  const copy = readYaml<RuleFile>(file).groups.flatMap((g) => g.rules);
  const original = alertRules();
  t.is(copy.length, original.length);
  for (const [i, rule] of copy.entries()) {
    t.is(rule.alert, original[i]!.alert);
    t.is(rule.expr, original[i]!.expr);
    t.deepEqual(rule.annotations, original[i]!.annotations);
    if (original[i]!.for !== undefined) t.is(rule.for, '5s', `${rule.alert!}: for`);
  }
  const r = await run('promtool', ['check', 'rules', file]);
  t.is(r.code, 0, r.stdout + r.stderr);
  t.throws(() => writeAlertsWithShortFor('soon'));
});

test('the rule files pass yamllint', async (t) => {
  if (!onPath('yamllint')) {
    t.fail('yamllint is not installed: .ci/run installs it');
    return;
  }
  const r = await run('yamllint', ['-d', YAMLLINT_CONFIG, ALERTS, RECORDING, ...testFiles()]);
  t.is(r.code, 0, r.stdout + r.stderr);
});
