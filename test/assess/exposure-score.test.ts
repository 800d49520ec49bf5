import test from 'ava';
import fc from 'fast-check';
import { assess } from '../../src/assess/assess.js';
import { EXPOSURE_SCORE_MARKDOWN, exposureScore, sandboxExposureFindings, scoreContributions, SEVERITY_WEIGHTS } from '../../src/assess/exposure-score.js';
import { finding, RULES } from '../../src/assess/catalogue.js';
import type { Finding, Severity } from '../../src/model/report.js';
import { SEVERITIES } from '../../src/model/report.js';
import { makeConfig, makeInput, makeProcess, makeSandbox, makeShim } from './builders.js';

const f = (rule: string, severity: Severity): Pick<Finding, 'rule' | 'severity'> => ({ rule, severity });

test('no findings score 0; single findings score their weight', (t) => {
  t.is(exposureScore([]), 0);
  t.is(exposureScore([f('A', 'critical')]), 60);
  t.is(exposureScore([f('A', 'high')]), 35);
  t.is(exposureScore([f('A', 'medium')]), 15);
  t.is(exposureScore([f('A', 'low')]), 5);
  t.is(exposureScore([f('A', 'info')]), 0);
  t.is(exposureScore([f('A', 'medium'), f('B', 'medium')]), 28);
});

test('a rule counts once, at its highest severity', (t) => {
  t.is(exposureScore([f('A', 'high'), f('A', 'high'), f('A', 'high')]), 35);
  t.is(exposureScore([f('A', 'high'), f('A', 'critical')]), 60);
});

const findingArb = fc.record({
  rule: fc.constantFrom(...RULES.map((r) => r.id), 'X-1', 'X-2'),
  severity: fc.constantFrom(...SEVERITIES),
});

test('bounded, order-independent, and monotone: adding a finding never lowers the score', (t) => {
  fc.assert(fc.property(fc.array(findingArb, { maxLength: 60 }), findingArb, (list, extra) => {
    const before = exposureScore(list);
    const after = exposureScore([...list, extra]);
    return before >= 0 && before <= 100 && Number.isInteger(before)
      && after >= before
      && exposureScore([...list].reverse()) === before;
  }), { numRuns: 2000 });
  t.pass();
});

test('raising a finding\'s severity never lowers the score', (t) => {
  fc.assert(fc.property(fc.array(findingArb, { minLength: 1, maxLength: 30 }), fc.nat(), (list, pick) => {
    const index = pick % list.length;
    const raised = list.map((x, i) => (i === index ? { ...x, severity: 'critical' as const } : x));
    return exposureScore(raised) >= exposureScore(list);
  }), { numRuns: 1000 });
  t.pass();
});

test('many critical findings saturate at 100', (t) => {
  t.is(exposureScore(Array.from({ length: 12 }, (_, i) => f(`R${i}`, 'critical'))), 100);
});

test('weights are ordered by severity', (t) => {
  const weights = SEVERITIES.map((s) => SEVERITY_WEIGHTS[s]);
  t.deepEqual(weights, [...weights].sort((a, b) => a - b));
});

test('only host rules that raise sandbox exposure count for a sandbox', (t) => {
  const cpu = finding('KATA-CPU-001', null, 'mds vulnerable');
  const cfg = finding('KATA-CFG-006', null, 'disable_seccomp = true');
  t.deepEqual(sandboxExposureFindings([], [cpu, cfg]), [cpu]);
});

test('reference point: QEMU with Kata defaults scores 55, a rootful seccomp-filtered VMM 5', (t) => {
  const qemu = makeSandbox({
    vmm: 'qemu',
    processes: [makeShim(), makeProcess({ comm: 'qemu-system-x86', seccomp: 'disabled', threadsWithoutSeccomp: 8, uid: 0, capEffective: '000001ffffffffff', capEffectiveCount: 41 })],
    devices: [
      { class: 'net', backend: 'vhost-kernel', id: 'net0', source: 'argv' },
      { class: 'vsock', backend: 'vhost-kernel', id: 'vsock0', source: 'argv' },
    ],
  });
  const fc = makeSandbox({ id: 'f'.repeat(64), vmm: 'firecracker', processes: [makeShim({ pid: 5000 }), makeProcess({ pid: 5100, uid: 0 })] });
  const result = assess(makeInput({ sandboxes: [qemu, fc] }));
  t.deepEqual(result.scores, [55, 5]);
});

test('a host CPU flaw raises every sandbox; a dangerous config setting raises none', (t) => {
  const sandboxes = [makeSandbox(), makeSandbox({ id: 'b'.repeat(64) })];
  const base = assess(makeInput({ sandboxes })).scores;
  const cpu = assess(makeInput({ sandboxes, host: { cpuVulnerabilities: [{ name: 'mds', status: 'vulnerable', detail: 'Vulnerable' }] } })).scores;
  const cfg = assess(makeInput({ sandboxes, host: { kataConfig: [makeConfig({ settings: { rootless: true, disable_seccomp: true } })] } })).scores;
  t.deepEqual(base, [0, 0]);
  t.deepEqual(cpu, [35, 35]);
  t.deepEqual(cfg, [0, 0]);
});

test('the formula is documented as markdown', (t) => {
  t.regex(EXPOSURE_SCORE_MARKDOWN, /score = round\(100 \* \(1 - Π over rules \(1 - weight\)\)\)/);
  t.regex(EXPOSURE_SCORE_MARKDOWN, /critical 0\.60, high 0\.35, medium 0\.15, low 0\.05, info 0/);
});

test('score contributions name each counted rule once, with its scope, and give back the score', (t) => {
  const own = [finding('KATA-NET-001', 'sb', 'a'), finding('KATA-NET-001', 'sb', 'b'), finding('KATA-VMM-004', 'sb', 'root'), finding('KATA-HOTPLUG-001', 'sb', 'cpu')];
  const host = [finding('KATA-CPU-001', null, 'mds'), finding('KATA-HOST-001', null, 'vhost_net unused')];
  const contributions = scoreContributions(own, host);
  t.deepEqual(contributions, [
    { rule: 'KATA-CPU-001', severity: 'high', weight: 0.35, scope: 'host' },
    { rule: 'KATA-NET-001', severity: 'medium', weight: 0.15, scope: 'sandbox' },
    { rule: 'KATA-VMM-004', severity: 'low', weight: 0.05, scope: 'sandbox' },
  ]);
  const remaining = contributions.reduce((r, c) => r * (1 - c.weight), 1);
  t.is(Math.round(100 * (1 - remaining)), exposureScore(sandboxExposureFindings(own, host)));
});

test('assess returns the contributions of every sandbox', (t) => {
  const result = assess(makeInput({ sandboxes: [makeSandbox({ devices: [{ class: 'net', backend: 'vhost-kernel', id: 'net0', source: 'argv' }] })] }));
  t.deepEqual(result.contributions, [[{ rule: 'KATA-NET-001', severity: 'medium', weight: 0.15, scope: 'sandbox' }]]);
  t.is(result.scores[0], 15);
});
