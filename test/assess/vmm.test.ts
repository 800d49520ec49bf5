import test from 'ava';
import { assess } from '../../src/assess/assess.js';
import { makeInput, makeProcess, makeSandbox, makeShim, makeVirtiofsd } from './builders.js';

const evidenceOf = (sandbox: ReturnType<typeof makeSandbox>, rule: string) =>
  assess(makeInput({ sandboxes: [sandbox] })).sandboxFindings[0]?.filter((f) => f.rule === rule).map((f) => f.evidence);

test('QEMU without seccomp: the evidence names the pid and what status says', (t) => {
  const qemu = makeSandbox({ vmm: 'qemu', processes: [makeShim(), makeProcess({ seccomp: 'disabled', noNewPrivs: false, threads: 4, threadsWithoutSeccomp: 4 })] });
  t.deepEqual(evidenceOf(qemu, 'KATA-VMM-001'), ['qemu pid 4100 has Seccomp 0 (disabled) on all 4 threads, NoNewPrivs 0']);
});

test('Cloud Hypervisor filtering its workers but not its main thread is KATA-VMM-003, not KATA-VMM-001', (t) => {
  const clh = makeSandbox({ vmm: 'cloud-hypervisor', processes: [makeShim(), makeProcess({ seccomp: 'disabled', threads: 10, threadsWithoutSeccomp: 1 })] });
  t.deepEqual(evidenceOf(clh, 'KATA-VMM-001'), []);
  t.is(evidenceOf(clh, "KATA-VMM-003")?.length, 1);
});

test('Dragonball: the shim is the VMM for seccomp and root, not for namespaces', (t) => {
  const db = makeSandbox({
    vmm: 'dragonball',
    runtime: 'rust',
    processes: [makeShim({ seccomp: 'filter', threads: 20, threadsWithoutSeccomp: 2, sharedNamespaces: ['net', 'mnt'] })],
  });
  const result = assess(makeInput({ sandboxes: [db] }));
  t.deepEqual(result.sandboxFindings[0]?.map((f) => `${f.rule} ${f.evidence}`), [
    'KATA-VMM-003 dragonball shim pid 4000 has seccomp filter on its leader but 2 of 20 threads run without seccomp',
    'KATA-VMM-004 dragonball shim pid 4000 runs as uid 0 (41 effective capabilities, CapEff 000001ffffffffff)',
  ]);
});

test('threads without seccomp are judged on every role, virtiofsd included', (t) => {
  const sb = makeSandbox({ processes: [makeShim(), makeProcess(), makeVirtiofsd({ seccomp: 'filter', threads: 2, threadsWithoutSeccomp: 1 })] });
  t.deepEqual(evidenceOf(sb, 'KATA-VMM-003'), ['virtiofsd pid 4123 has seccomp filter on its leader but 1 of 2 threads run without seccomp']);
});

test('shared namespaces: only mnt and net count, and only when known', (t) => {
  const ns = (sharedNamespaces: Array<'mnt' | 'net' | 'ipc' | 'uts'>, namespacesKnown = true) =>
    evidenceOf(makeSandbox({ vmm: 'qemu', processes: [makeShim(), makeProcess({ sharedNamespaces, namespacesKnown })] }), 'KATA-VMM-002');
  t.deepEqual(ns(['mnt', 'net', 'ipc']), ['qemu pid 4100 shares the mnt and net namespaces of the host reference process (pid 1)']);
  t.deepEqual(ns(['ipc', 'uts']), []);
  t.deepEqual(ns([], false), []);
});

test('several offending processes make one finding per sandbox', (t) => {
  const sb = makeSandbox({ vmm: 'qemu', processes: [makeShim(), makeProcess({ uid: 0, capEffective: null, capEffectiveCount: null }), makeProcess({ pid: 4101, uid: 0, capEffective: '00000000a80425fb', capEffectiveCount: 14 })] });
  t.deepEqual(evidenceOf(sb, 'KATA-VMM-004'), [
    'qemu pid 4100 runs as uid 0 (effective capabilities unknown); qemu pid 4101 runs as uid 0 (14 effective capabilities, CapEff 00000000a80425fb)',
  ]);
});
