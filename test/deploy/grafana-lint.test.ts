// grafana/dashboard-linter's rules, applied to deploy/grafana/kata-audit.json in TypeScript (the linter is a Go
// program; CI has no Go toolchain): template-datasource, template-job, template-instance, panel-units,
// panel-title-description, target-rate-interval, target-job and target-instance, as the linter's lint/rule_*.go
// define them. Exceptions come from deploy/grafana/.lint, the linter's own exclusion file, matched the way it
// matches them (rule name, then panel title), so the dashboard passes both this test and the real linter.
import { readFileSync } from 'node:fs';
import test from 'ava';
import { readYaml, repoPath } from '../helpers/deploy.js';
import { promqlRanges, promqlSelectors } from '../helpers/promql-selectors.js';

type Obj = Record<string, any>;

const dashboard = JSON.parse(readFileSync(repoPath('deploy/grafana/kata-audit.json'), 'utf8')) as Obj;
const lintConfig = readYaml<{ exclusions?: Record<string, { reason?: string; entries?: Array<{ panel?: string }> }> }>(repoPath('deploy/grafana/.lint'));

/** The panel types the linter's panel rules look at (lint/constants.go). */
const LINTED_TYPES = new Set(['stat', 'singlestat', 'gauge', 'graph', 'timeseries', 'table']);
/**
 * Units the linter accepts: a subset of its list (Grafana's value format ids, valueFormats/categories.ts), the ones
 * a dashboard of this kind may use. A unit outside it fails here though the linter might take it: stricter, never
 * laxer.
 */
const VALID_UNITS = new Set(['none', 'string', 'short', 'percent', 'percentunit', 'bytes', 'decbytes', 'bits', 'Bps', 'ns', 'µs', 'ms', 's', 'm', 'h', 'd',
  'dtdurationms', 'dtdurations', 'dateTimeAsIso', 'dateTimeFromNow', 'ops', 'reqps', 'cps', 'bool', 'bool_yes_no', 'bool_on_off']);

function panels(): Obj[] {
  return (dashboard.panels as Obj[]).flatMap((p) => [p, ...((p.panels as Obj[] | undefined) ?? [])]).filter((p) => p.type !== 'row');
}
const targets = (): Array<{ panel: Obj; expr: string; idx: number }> =>
  panels().flatMap((panel) => ((panel.targets as Obj[] | undefined) ?? []).map((target, idx) => ({ panel, expr: target.expr as string, idx })));

function excluded(rule: string, panelTitle: string): boolean {
  const exclusion = lintConfig.exclusions?.[rule];
  if (exclusion === undefined) return false;
  if (exclusion.entries === undefined || exclusion.entries.length === 0) return true;
  return exclusion.entries.some((entry) => entry.panel === undefined || entry.panel === panelTitle);
}

const variable = (name: string): Obj | undefined => (dashboard.templating.list as Obj[]).find((v) => v.name === name);

test('template-datasource-rule: one Prometheus datasource variable named datasource, labelled "Data source"', (t) => {
  const sources = (dashboard.templating.list as Obj[]).filter((v) => v.type === 'datasource');
  t.is(sources.length, 1);
  t.is(sources[0]!.name, 'datasource');
  t.is(sources[0]!.label, 'Data source');
  t.is(sources[0]!.query, 'prometheus');
});

for (const name of ['job', 'instance']) {
  test(`template-${name}-rule: $${name} is a multi-select Prometheus query on $datasource with allValue .+`, (t) => {
    const v = variable(name);
    if (v === undefined) return t.fail(`the dashboard has no $${name} variable`);
    t.is(v.type, 'query');
    t.true(['$datasource', '${datasource}'].includes(v.datasource?.uid as string), `datasource ${JSON.stringify(v.datasource)}`);
    t.is(v.label, name[0]!.toUpperCase() + name.slice(1));
    t.true(v.multi === true, 'multi select');
    t.is(v.allValue, '.+');
  });
}

test('panel-title-description-rule: every stat, table, time series, gauge and graph panel has both', (t) => {
  const checked = panels().filter((p) => LINTED_TYPES.has(p.type as string));
  t.true(checked.length > 20);
  for (const p of checked) t.true(Boolean(p.title) && Boolean(p.description), `panel "${p.title as string}" (${p.type as string})`);
});

test('panel-units-rule: every such panel has a valid unit (unless value mappings or non-numeric stat fields stand in)', (t) => {
  for (const p of panels().filter((panel) => LINTED_TYPES.has(panel.type as string))) {
    if (p.type === 'stat' && (p.options?.reduceOptions?.fields ?? '') !== '') continue;
    const overrides = ((p.fieldConfig?.overrides as Obj[] | undefined) ?? []).flatMap((o) => (o.properties as Obj[] | undefined) ?? []);
    // The linter skips a panel with any mappings value, even []; here only real mappings excuse a unit.
    const mappings = (p.fieldConfig?.defaults?.mappings as unknown[] | undefined) ?? overrides.find((o) => o.id === 'mappings')?.value;
    if (Array.isArray(mappings) && mappings.length > 0) continue;
    const unit = (overrides.filter((o) => o.id === 'unit').at(-1)?.value as string | undefined) ?? (p.fieldConfig?.defaults?.unit as string | undefined) ?? '';
    t.true(VALID_UNITS.has(unit), `panel "${p.title as string}" unit "${unit}"`);
  }
});

test('target-rate-interval-rule: every rate() and irate() range is $__rate_interval', (t) => {
  let ranges = 0;
  for (const { panel, expr } of targets()) {
    for (const range of promqlRanges(expr)) {
      ranges++;
      if (range.duration === '$__rate_interval' || range.subquery) continue;
      t.false(range.call === 'rate' || range.call === 'irate', `panel "${panel.title as string}": ${range.call}(...[${range.duration}]) in ${expr}`);
      t.not(range.call, null, `panel "${panel.title as string}": a bare range [${range.duration}] in ${expr}`);
    }
  }
  t.true(ranges > 0, 'the dashboard has a rate() to check');
});

for (const label of ['job', 'instance']) {
  test(`target-${label}-rule: every selector of every query has ${label}=~"$${label}" (cluster row excepted by .lint)`, (t) => {
    let checked = 0;
    for (const { panel, expr } of targets()) {
      if (excluded(`target-${label}-rule`, panel.title as string)) continue;
      const selectors = promqlSelectors(expr);
      t.true(selectors.length > 0, `panel "${panel.title as string}": no selector found in ${expr}`);
      for (const selector of selectors) {
        checked++;
        const matcher = selector.matchers.find((m) => m.name === label);
        t.deepEqual(matcher && { op: matcher.op, value: matcher.value }, { op: '=~', value: `$${label}` }, `panel "${panel.title as string}": ${selector.text}`);
      }
    }
    t.true(checked > 40, `${checked} selectors checked`);
  });
}

test('the .lint exceptions name existing cluster-row panels only, each with a reason', (t) => {
  const titleCount = (title: string): number => panels().filter((p) => p.title === title).length;
  const rows = dashboard.panels as Obj[];
  const start = rows.findIndex((p) => p.type === 'row' && /^Cluster/.test(p.title as string));
  const end = rows.findIndex((p, i) => i > start && p.type === 'row');
  const clusterRow = new Set(rows.slice(start + 1, end).map((p) => p.title as string));
  for (const [rule, exclusion] of Object.entries(lintConfig.exclusions ?? {})) {
    t.true(['target-job-rule', 'target-instance-rule'].includes(rule), `only the matcher rules have exceptions, not ${rule}`);
    t.truthy(exclusion.reason);
    t.true((exclusion.entries ?? []).length > 0, `${rule}: entries, not the whole rule`);
    for (const entry of exclusion.entries ?? []) {
      t.true(clusterRow.has(entry.panel ?? ''), `${rule}: "${entry.panel ?? ''}" is a cluster-row panel`);
      // The linter matches an exception by panel title: a second panel of that title would be excused too.
      t.is(titleCount(entry.panel ?? ''), 1, `${rule}: "${entry.panel ?? ''}" names one panel only`);
    }
  }
});
