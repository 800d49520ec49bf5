import test from 'ava';
import { assess, CHECKS, compareFindings } from '../../src/assess/assess.js';
import { finding } from '../../src/assess/catalogue.js';
import type { RuleCheck } from '../../src/assess/types.js';
import { makeConfig, makeInput, makeProcess, makeSandbox, makeShim } from './builders.js';

const busy = (id: string, pid: number) => makeSandbox({
  id,
  vmm: 'qemu',
  processes: [makeShim({ pid: pid - 100 }), makeProcess({ pid, seccomp: 'disabled', uid: 0, threadsWithoutSeccomp: 8 })],
  devices: [
    { class: 'net', backend: 'vhost-kernel', id: 'net0', source: 'argv' },
    { class: 'vsock', backend: 'vhost-kernel', id: 'vsock0', source: 'argv' },
  ],
  hotplug: { cpu: true, memory: true, pci: true },
});

const busyInput = () => makeInput({
  sandboxes: [busy('b'.repeat(64), 4200), busy('a'.repeat(64), 4100), makeSandbox({ id: 'c'.repeat(64) })],
  host: {
    cpuVulnerabilities: [
      { name: 'mds', status: 'vulnerable', detail: 'Vulnerable' },
      { name: 'l1tf', status: 'mitigated', detail: 'Mitigation: PTE Inversion; VMX: conditional cache flushes, SMT vulnerable' },
    ],
    kataConfig: [makeConfig({ hypervisor: 'qemu', settings: { enable_annotations: ['.*'], seccompsandbox: '' } })],
  },
});

test('findings are sorted by severity, then rule id, sandbox id and evidence', (t) => {
  const result = assess(busyInput());
  const sorted = (list: typeof result.hostFindings) => t.deepEqual(list, [...list].sort(compareFindings));
  sorted(result.hostFindings);
  for (const list of result.sandboxFindings) sorted(list);
  t.deepEqual(result.sandboxFindings[0]?.map((f) => `${f.severity} ${f.rule}`), [
    'high KATA-VMM-001',
    'medium KATA-NET-001',
    'medium KATA-VSOCK-001',
    'low KATA-HOTPLUG-002',
    'low KATA-VMM-004',
    'info KATA-HOTPLUG-001',
  ]);
  t.deepEqual(result.hostFindings.map((f) => `${f.severity} ${f.rule}`), [
    'high KATA-CFG-001',
    'high KATA-CPU-001',
    'medium KATA-CFG-002',
    'medium KATA-CFG-003',
    'medium KATA-CFG-005',
    'medium KATA-CPU-002',
    'low KATA-CFG-004',
    'info KATA-CFG-011',
  ]);
});

test('sandbox findings and scores follow input order, and the result is deterministic', (t) => {
  const input = busyInput();
  const result = assess(input);
  t.is(result.sandboxFindings.length, 3);
  t.is(result.scores.length, 3);
  input.sandboxes.forEach((sandbox, i) => {
    for (const f of result.sandboxFindings[i] ?? []) t.is(f.sandboxId, sandbox.id);
  });
  t.deepEqual(result.sandboxFindings[2], []);
  // CPU-001 (high) and CPU-002 (medium) raise even the clean sandbox: 1 - 0.65 * 0.85 = 0.4475.
  t.is(result.scores[2], 45);
  t.true((result.scores[0] ?? 0) > (result.scores[2] ?? 0));
  t.deepEqual(assess(busyInput()), result);
  const reversed = assess({ ...input, sandboxes: [...input.sandboxes].reverse() });
  t.deepEqual(reversed.sandboxFindings, [...result.sandboxFindings].reverse());
  t.deepEqual(reversed.hostFindings, result.hostFindings);
});

test('a check that throws is reported as a failure and the rest of the assessment stands', (t) => {
  const boom: RuleCheck = () => { throw new TypeError('cannot read properties of undefined'); };
  const result = assess(busyInput(), { checks: { ...CHECKS, 'KATA-NET-001': boom, 'KATA-CPU-001': boom } });
  t.deepEqual(result.failures, [
    { rule: 'KATA-CPU-001', message: 'TypeError: cannot read properties of undefined' },
    { rule: 'KATA-NET-001', message: `threw on 3 of 3 sandboxes; first: sandbox ${'b'.repeat(64)}: TypeError: cannot read properties of undefined` },
  ]);
  t.false(result.sandboxFindings.flat().some((f) => f.rule === 'KATA-NET-001'));
  t.true(result.sandboxFindings[0]?.some((f) => f.rule === 'KATA-VSOCK-001'));
  t.true(result.hostFindings.some((f) => f.rule === 'KATA-CPU-002'));
});

test('a check that throws on one sandbox still judges the others', (t) => {
  const picky: RuleCheck = (input) => {
    if (input.sandboxes.some((s) => s.id.startsWith('a'))) throw new Error('odd shape');
    return CHECKS['KATA-NET-001']?.(input) ?? [];
  };
  const result = assess(busyInput(), { checks: { ...CHECKS, 'KATA-NET-001': picky } });
  t.deepEqual(result.failures, [{ rule: 'KATA-NET-001', message: `threw on 1 of 3 sandboxes; first: sandbox ${'a'.repeat(64)}: Error: odd shape` }]);
  t.true(result.sandboxFindings[0]?.some((f) => f.rule === 'KATA-NET-001'));
  t.false(result.sandboxFindings[1]?.some((f) => f.rule === 'KATA-NET-001'));
});

test('missing checks, stray checks and findings for the wrong rule are failures, not crashes', (t) => {
  const { 'KATA-HOST-001': _dropped, ...rest } = CHECKS;
  const liar: RuleCheck = () => [finding('KATA-CFG-006', null, 'not mine')];
  const result = assess(makeInput(), { checks: { ...rest, 'KATA-CFG-009': liar, 'KATA-XYZ-001': () => [] } });
  t.deepEqual(result.failures.map((f) => f.rule), ['KATA-CFG-009', 'KATA-HOST-001', 'KATA-XYZ-001']);
  t.deepEqual(result.hostFindings, []);
});

test('an empty node assesses to nothing', (t) => {
  const result = assess(makeInput({ sandboxes: [] }));
  t.deepEqual(result, { hostFindings: [], sandboxFindings: [], scores: [], contributions: [], failures: [] });
});
