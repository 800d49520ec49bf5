import test from 'ava';
import { assess } from '../../src/assess/assess.js';
import { exposureScore } from '../../src/assess/exposure-score.js';
import type { Finding, NamespaceKind } from '../../src/model/report.js';
import { allFindings, makeInput, makeProcess, makeSandbox, makeShim, makeVirtiofs, makeVirtiofsd, SANDBOX_ID } from './builders.js';

function run(state: Parameters<typeof makeVirtiofs>[0], sharedNamespaces: NamespaceKind[] = []): Finding[] {
  const sandbox = makeSandbox({ processes: [makeShim(), makeProcess(), makeVirtiofsd({ sharedNamespaces })], virtiofs: makeVirtiofs(state) });
  return allFindings(assess(makeInput({ sandboxes: [sandbox] })));
}

const severityOf = (findings: Finding[], rule: string) => findings.find((f) => f.rule === rule)?.severity;

test('a pending virtiofsd fires neither the unsandboxed nor the no-seccomp rule, only the info finding', (t) => {
  for (const declaredSandbox of [null, 'none', 'chroot'] as const) {
    const findings = run({ sandbox: 'pending', seccomp: 'disabled', declaredSandbox, declaredSeccomp: 'none' });
    t.deepEqual(findings.map((f) => f.rule), ['KATA-VFS-004'], `declared ${declaredSandbox}`);
    t.is(findings[0]?.severity, 'info');
  }
});

test('the pending info finding says what the flags declare', (t) => {
  const [f] = run({ sandbox: 'pending', seccomp: 'disabled', declaredSandbox: 'none', declaredSeccomp: 'none' });
  t.is(f?.evidence, 'virtiofsd pid 4123 waits for its VMM to connect (not yet in its sandbox, seccomp not yet installed); declared --sandbox=none --seccomp=none');
});

test('unsandboxed severity: chroot medium, none high; namespace and unknown do not fire', (t) => {
  t.is(severityOf(run({ sandbox: 'chroot' }), 'KATA-VFS-001'), 'medium');
  t.is(severityOf(run({ sandbox: 'none' }), 'KATA-VFS-001'), 'high');
  t.is(severityOf(run({ sandbox: 'namespace' }), 'KATA-VFS-001'), undefined);
  t.is(severityOf(run({ sandbox: 'unknown' }), 'KATA-VFS-001'), undefined);
  t.is(severityOf(run({ sandbox: 'unknown' }), 'KATA-VFS-004'), 'info');
});

test('no seccomp is high when sandboxed, critical when also unsandboxed', (t) => {
  t.is(severityOf(run({ sandbox: 'namespace', seccomp: 'disabled' }), 'KATA-VFS-002'), 'high');
  t.is(severityOf(run({ sandbox: 'chroot', seccomp: 'disabled' }), 'KATA-VFS-002'), 'critical');
  t.is(severityOf(run({ sandbox: 'none', seccomp: 'disabled' }), 'KATA-VFS-002'), 'critical');
  t.is(severityOf(run({ sandbox: 'unknown', seccomp: 'disabled' }), 'KATA-VFS-002'), 'high');
});

test('--seccomp=log counts as no seccomp even though the kernel reports a filter', (t) => {
  t.is(severityOf(run({ seccomp: 'filter', declaredSeccomp: 'log' }), 'KATA-VFS-002'), 'high');
  t.is(severityOf(run({ seccomp: 'filter', declaredSeccomp: 'trap' }), 'KATA-VFS-002'), undefined);
  t.is(severityOf(run({ seccomp: 'filter', declaredSeccomp: 'none' }), 'KATA-VFS-002'), undefined, 'an observed filter wins over a flag');
  t.is(severityOf(run({ seccomp: 'unknown', declaredSeccomp: 'none' }), 'KATA-VFS-002'), 'high');
});

test('evidence states what was observed, in the daemon\'s own flag syntax', (t) => {
  const chroot = run({ sandbox: 'chroot', declaredSandbox: 'chroot', implementation: 'c' }, ['pid', 'mnt']).find((f) => f.rule === 'KATA-VFS-001');
  t.is(chroot?.evidence,
    `virtiofsd pid 4123 runs with -o sandbox=chroot, observed mode chroot; its root is /run/kata-containers/shared/sandboxes/${SANDBOX_ID}/shared; it shares the pid, mnt namespaces of host reference pid 1`);
  const none = run({ sandbox: 'none', seccomp: 'disabled', declaredSandbox: 'none', declaredSeccomp: 'none' }, ['pid', 'mnt', 'net', 'ipc']);
  t.is(none.find((f) => f.rule === 'KATA-VFS-001')?.evidence,
    'virtiofsd pid 4123 runs with --sandbox=none, observed mode none; it shares the pid, mnt, net namespaces of host reference pid 1');
  t.is(none.find((f) => f.rule === 'KATA-VFS-002')?.evidence,
    'virtiofsd pid 4123 has Seccomp 0 (disabled) and runs with --seccomp=none; its sandbox mode is none, so nothing confines it');
});

test('namespaces the comparison could not read are said to be unknown, not guessed', (t) => {
  const sandbox = makeSandbox({
    processes: [makeShim(), makeProcess(), makeVirtiofsd({ namespacesKnown: false })],
    virtiofs: makeVirtiofs({ sandbox: 'none' }),
  });
  t.is(allFindings(assess(makeInput({ sandboxes: [sandbox] })))[0]?.evidence,
    'virtiofsd pid 4123 runs without a --sandbox flag, observed mode none; its namespaces could not be compared with the host\'s');
});

test('inline virtio-fs (Dragonball) has no daemon to judge', (t) => {
  t.deepEqual(run({ sandbox: 'unknown', seccomp: 'unknown', implementation: 'inline', dax: true }), []);
});

test('DAX fires whatever the daemon state, pending included', (t) => {
  t.is(severityOf(run({ sandbox: 'pending', seccomp: 'disabled', dax: true }), 'KATA-VFS-003'), 'medium');
});

// nydusd (shared_fs = "virtio-fs-nydus"): root, every capability, host namespaces, no seccomp, by design.
const nydusd = makeVirtiofsd({
  comm: 'nydusd', exe: '/opt/kata/libexec/nydusd', threads: 6, capEffective: '000001ffffffffff', capEffectiveCount: 41,
  nspid: [4123], sharedNamespaces: ['mnt', 'net', 'pid'], seccomp: 'disabled',
});
const nydusdState = makeVirtiofs({ daemon: 'nydusd', sandbox: 'none', seccomp: 'disabled', declaredSandbox: 'none', declaredSeccomp: 'none', cache: null, sharedDir: null, implementation: 'unknown' });

test('nydusd is judged by its own rule (critical without seccomp), not by virtiofsd\'s flag rules', (t) => {
  const findings = allFindings(assess(makeInput({ sandboxes: [makeSandbox({ processes: [makeShim(), makeProcess(), nydusd], virtiofs: nydusdState })] })));
  t.deepEqual(findings.map((f) => f.rule), ['KATA-VFS-005']);
  t.is(findings[0]?.severity, 'critical');
  t.is(findings[0]?.evidence,
    'nydusd pid 4123 (which has no sandbox, seccomp or capability option) runs as uid 0 with 41 effective capabilities ' +
    '(CapEff 000001ffffffffff), observed mode none, seccomp disabled; it shares the pid, mnt, net namespaces of host reference pid 1');
  const filtered = allFindings(assess(makeInput({ sandboxes: [makeSandbox({ processes: [makeShim(), makeProcess(), nydusd], virtiofs: { ...nydusdState, seccomp: 'filter' } })] })));
  t.is(severityOf(filtered, 'KATA-VFS-005'), 'high', 'a nydusd some wrapper filtered is still unconfined, but not critical');
});

test('a sandbox served by nydusd scores worse than one whose virtiofsd is confined', (t) => {
  const score = (sandbox: ReturnType<typeof makeSandbox>) => exposureScore(assess(makeInput({ sandboxes: [sandbox] })).sandboxFindings[0]!);
  const confined = score(makeSandbox({ processes: [makeShim(), makeProcess(), makeVirtiofsd()], virtiofs: makeVirtiofs({ daemon: 'virtiofsd' }) }));
  const served = score(makeSandbox({ processes: [makeShim(), makeProcess(), nydusd], virtiofs: nydusdState }));
  t.true(served > confined, `nydusd ${served} vs confined virtiofsd ${confined}`);
});

test('a report older than the daemon field reads as virtiofsd', (t) => {
  const state = makeVirtiofs({ sandbox: 'none', declaredSandbox: 'none' });
  delete state.daemon;
  t.is(severityOf(run(state), 'KATA-VFS-001'), 'high');
  t.is(severityOf(run(state), 'KATA-VFS-005'), undefined);
});
