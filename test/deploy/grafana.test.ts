// deploy/grafana/kata-audit.json: the dashboard's conventions (stable uid, pinned schema, datasource variable, units on
// every panel), every PromQL expression parses (promtool check rules on a generated rules file, variables substituted),
// and every metric it names is one the agent exports for a fixture host (the fixture goldens) or a recording rule.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { stringify } from 'yaml';
import {
  goldenMetricFiles, METRICS_CONTRACT, metricNamesInExposition, metricNamesInPromQL, onPath, readYaml, repoPath, run,
  SCRAPE_SYNTHETIC_METRICS,
} from '../helpers/deploy.js';

type Obj = Record<string, any>;

const DASHBOARD_FILE = repoPath('deploy/grafana/kata-audit.json');
const dashboard = JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as Obj;
const DS_REF = { type: 'prometheus', uid: '${datasource}' };

/** Every panel, rows' nested panels included (a collapsed row holds its panels). */
function allPanels(): Obj[] {
  const out: Obj[] = [];
  for (const p of dashboard.panels as Obj[]) {
    out.push(p);
    for (const nested of (p.panels as Obj[] | undefined) ?? []) out.push(nested);
  }
  return out;
}
const dataPanels = (): Obj[] => allPanels().filter((p) => p.type !== 'row');

interface Expression { where: string; expr: string }

/** PromQL of every target and every query variable (label_values(expr, label) -> expr; query_result(expr) -> expr). */
function expressions(): Expression[] {
  const out: Expression[] = [];
  for (const p of dataPanels()) {
    for (const target of (p.targets as Obj[] | undefined) ?? []) out.push({ where: `panel "${p.title as string}" ${target.refId as string}`, expr: target.expr as string });
  }
  for (const v of dashboard.templating.list as Obj[]) {
    if (v.type !== 'query') continue;
    const query = typeof v.query === 'string' ? v.query : (v.query?.query as string);
    const labelValues = /^label_values\(\s*(.+),\s*[a-zA-Z_]\w*\s*\)$/s.exec(query.trim());
    const queryResult = /^query_result\((.+)\)$/s.exec(query.trim());
    if (labelValues) out.push({ where: `variable $${v.name as string}`, expr: labelValues[1]! });
    else if (queryResult) out.push({ where: `variable $${v.name as string}`, expr: queryResult[1]! });
    else if (!/^label_values\(\s*\w+\s*\)$/.test(query.trim())) out.push({ where: `variable $${v.name as string}`, expr: query });
  }
  return out;
}

/** Grafana's variables replaced by what they expand to: durations for the interval ones, ".*" (All) for ours. */
function substitute(expr: string): string {
  return expr
    .replace(/\$__rate_interval|\$\{__rate_interval\}/g, '5m')
    .replace(/\$__interval_ms|\$\{__interval_ms\}/g, '60000')
    .replace(/\$__interval|\$\{__interval\}/g, '1m')
    .replace(/\$__range_s|\$\{__range_s\}/g, '3600')
    .replace(/\$__range|\$\{__range\}/g, '1h')
    .replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, '.*');
}

test('the dashboard has a stable uid, a pinned schema and a datasource variable', (t) => {
  t.is(dashboard.uid, 'kata-audit-exposure');
  t.is(dashboard.schemaVersion, 39);
  t.is(dashboard.id, null, 'no database id in the committed file');
  t.truthy(dashboard.title);
  const vars = new Map<string, Obj>((dashboard.templating.list as Obj[]).map((v) => [v.name as string, v]));
  t.is(vars.get('datasource')?.type, 'datasource');
  t.is(vars.get('datasource')?.query, 'prometheus');
  for (const name of ['cluster', 'job', 'instance', 'sandbox']) {
    t.is(vars.get(name)?.type, 'query', `$${name} is a query variable`);
    t.deepEqual(vars.get(name)?.datasource, DS_REF, `$${name} reads the chosen datasource`);
  }
  // .* where a series may lack the label (a Prometheus without a cluster label, host-level series without a
  // sandbox_id); job and instance always exist, and dashboard-linter wants .+ for them (grafana-lint.test.ts).
  t.is(vars.get('cluster')?.allValue, '.*');
  t.is(vars.get('sandbox')?.allValue, '.*');
});

test('every panel reads the datasource variable, sets a unit and fits the grid', (t) => {
  const ids = new Set<number>();
  for (const p of allPanels()) {
    t.false(ids.has(p.id as number), `panel id ${p.id as number} is unique`);
    ids.add(p.id as number);
    t.true(p.gridPos.x >= 0 && p.gridPos.x + p.gridPos.w <= 24, `panel "${p.title as string}" fits 24 columns`);
    if (p.type === 'row') continue;
    t.deepEqual(p.datasource, DS_REF, `panel "${p.title as string}" datasource`);
    t.true(typeof p.fieldConfig?.defaults?.unit === 'string' && p.fieldConfig.defaults.unit !== '', `panel "${p.title as string}" sets a unit`);
    t.truthy(p.description, `panel "${p.title as string}" has a description`);
    t.true(Array.isArray(p.targets) && p.targets.length > 0, `panel "${p.title as string}" has a query`);
    for (const target of p.targets as Obj[]) t.deepEqual(target.datasource, DS_REF, `panel "${p.title as string}" ${target.refId as string} datasource`);
  }
});

test('the dashboard has the rows an SRE needs', (t) => {
  const rows = (dashboard.panels as Obj[]).filter((p) => p.type === 'row').map((p) => p.title as string);
  for (const wanted of [/^Cluster/, /^Node overview/, /^Device backends/, /virtiofsd/, /VFIO and IOMMU/, /modules and CPU vulnerabilities/, /^Agent health/]) {
    t.true(rows.some((r) => wanted.test(r)), `a row matching ${String(wanted)} (rows: ${rows.join(', ')})`);
  }
  // The cluster row reads the recording rules only, so that a federated fleet stays cheap to query.
  const panels = dashboard.panels as Obj[];
  const start = panels.findIndex((p) => p.type === 'row' && /^Cluster/.test(p.title as string));
  const end = panels.findIndex((p, i) => i > start && p.type === 'row');
  for (const p of panels.slice(start + 1, end)) {
    for (const target of p.targets as Obj[]) {
      const raw = metricNamesInPromQL(substitute(target.expr as string)).filter((m) => !m.includes(':'));
      t.deepEqual(raw, [], `cluster panel "${p.title as string}" reads raw series`);
    }
  }
  // Node, device and sandbox panels follow the variables.
  for (const { where, expr } of expressions()) {
    if (/kata_audit_/.test(expr) && !where.startsWith('variable $cluster')) t.regex(expr, /\$cluster/, `${where} filters on $cluster`);
  }
});

test('every expression parses (promtool check rules on a generated rules file)', async (t) => {
  if (!onPath('promtool')) {
    t.fail('promtool is not installed: .ci/run installs it (apt-get install prometheus)');
    return;
  }
  const exprs = expressions();
  t.true(exprs.length > 20);
  const rules = exprs.map((e, i) => ({ record: `dashboard:expression_${i}:check`, expr: substitute(e.expr) }));
  for (const [i, r] of rules.entries()) t.notRegex(r.expr, /\$/, `${exprs[i]!.where}: an unsubstituted variable`);
  const dir = mkdtempSync(path.join(tmpdir(), 'kata-audit-dashboard-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'dashboard-rules.yaml');
  writeFileSync(file, stringify({ groups: [{ name: 'kata-audit-dashboard', rules }] }, { lineWidth: 0 }));
  const r = await run('promtool', ['check', 'rules', file]);
  const legend = rules.map((rule, i) => `${rule.record} = ${exprs[i]!.where}`).join('\n');
  t.is(r.code, 0, `${r.stdout}${r.stderr}\n${legend}`);
  t.regex(r.stdout, new RegExp(`SUCCESS: ${rules.length} rules found`));
});

/**
 * Families the e2e golden files may filter out as volatile (their values change from run to run, the way
 * node_exporter's end-to-end test skips build info and scrape durations). They are still checked against the
 * metrics contract.
 */
const MAY_BE_FILTERED_FROM_GOLDENS = new Set([
  'kata_audit_build_info', 'kata_audit_scan_duration_seconds', 'kata_audit_collector_duration_seconds', 'kata_audit_last_scan_timestamp_seconds',
]);

test('every metric the dashboard names is exported for a fixture host or recorded by a rule', (t) => {
  const goldens = goldenMetricFiles();
  if (goldens.length === 0) {
    t.fail('no test/fixtures/hosts/*/metrics.golden.prom yet: the daemon\'s end-to-end test writes them (npm run update-golden); '
      + 'without them the dashboard\'s metric names cannot be checked against what the agent exports');
    return;
  }
  const exported = new Set<string>();
  for (const file of goldens) for (const name of metricNamesInExposition(readFileSync(file, 'utf8'))) exported.add(name);
  const recorded = new Set(readYaml<Obj>(repoPath('deploy/prometheus/recording-rules.yaml')).groups.flatMap((g: Obj) => (g.rules as Obj[]).map((r) => r.record as string)));
  const contract = new Set<string>(METRICS_CONTRACT);
  const synthetic = new Set<string>(SCRAPE_SYNTHETIC_METRICS);
  const missing: string[] = [];
  for (const { where, expr } of expressions()) {
    for (const name of metricNamesInPromQL(substitute(expr))) {
      if (name.includes(':')) {
        if (!recorded.has(name)) missing.push(`${where}: ${name} is not a recording rule of deploy/prometheus/recording-rules.yaml`);
      } else if (name.startsWith('kata_audit_')) {
        if (exported.has(name)) continue;
        if (MAY_BE_FILTERED_FROM_GOLDENS.has(name) && contract.has(name)) continue;
        missing.push(`${where}: ${name} appears in no fixture golden (${goldens.length} files)`);
      } else if (!synthetic.has(name) && !/^process_(cpu_seconds_total|resident_memory_bytes)$/.test(name)) {
        missing.push(`${where}: ${name} is neither a kata-audit metric, a recording rule nor a scrape or process series`);
      }
    }
  }
  t.deepEqual(missing, []);
});
