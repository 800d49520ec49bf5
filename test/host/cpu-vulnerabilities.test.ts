import test from 'ava';
import { readFileSync } from 'node:fs';
import {
  parseVulnerabilityStatus,
  readCpuVulnerabilities,
} from '../../src/host/cpu-vulnerabilities.js';
import { DEFAULT_ROOTS, HostView } from '../../src/host/host-view.js';
import { ScanErrorLog } from '../../src/host/scan-error-log.js';
import type { VulnerabilityStatus } from '../../src/model/report.js';
import { VULNERABILITY_STATUSES } from './statuses.js';
import { fixtureView, replaceWithDirectory } from './fixture-view.js';

// Literal copy of /sys/devices/system/cpu/vulnerabilities on the development machine (kernel 6.18, AMD Zen
// guest under Firecracker), 19 files.
const THIS_MACHINE: Record<string, string> = {
  gather_data_sampling: 'Not affected',
  ghostwrite: 'Not affected',
  indirect_target_selection: 'Not affected',
  itlb_multihit: 'Not affected',
  l1tf: 'Not affected',
  mds: 'Not affected',
  meltdown: 'Not affected',
  mmio_stale_data: 'Not affected',
  old_microcode: 'Not affected',
  reg_file_data_sampling: 'Not affected',
  retbleed: 'Not affected',
  spec_rstack_overflow: 'Vulnerable: Safe RET, no microcode',
  spec_store_bypass: 'Vulnerable',
  spectre_v1: 'Mitigation: usercopy/swapgs barriers and __user pointer sanitization',
  spectre_v2: 'Mitigation: Retpolines; STIBP: disabled; RSB filling; PBRSB-eIBRS: Not affected; BHI: Not affected',
  srbds: 'Not affected',
  tsa: 'Not affected',
  tsx_async_abort: 'Not affected',
  vmscape: 'Not affected',
};

function vulnerabilityFiles(entries: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(entries).map(([name, text]) => [`sys/devices/system/cpu/vulnerabilities/${name}`, `${text}\n`]));
}

test('the statuses of this machine, read from a fixture copy', (t) => {
  const { view } = fixtureView(t, { files: vulnerabilityFiles(THIS_MACHINE) });
  const found = readCpuVulnerabilities(view);
  t.is(found.length, 19);
  t.deepEqual(found.map((v) => v.name), Object.keys(THIS_MACHINE).sort());
  t.deepEqual(found.filter((v) => v.status !== 'not_affected'), [
    { name: 'spec_rstack_overflow', status: 'vulnerable', detail: 'Vulnerable: Safe RET, no microcode' },
    { name: 'spec_store_bypass', status: 'vulnerable', detail: 'Vulnerable' },
    { name: 'spectre_v1', status: 'mitigated', detail: 'Mitigation: usercopy/swapgs barriers and __user pointer sanitization' },
    { name: 'spectre_v2', status: 'mitigated', detail: THIS_MACHINE.spectre_v2! },
  ]);
  t.deepEqual(view.errors.entries, []);
});

test('status wording of real kernels', (t) => {
  const cases: Array<[string, VulnerabilityStatus]> = [
    ['Not affected\n', 'not_affected'],
    ['Vulnerable\n', 'vulnerable'],
    ['Vulnerable: Clear CPU buffers attempted, no microcode; SMT vulnerable', 'vulnerable'],
    ['Mitigation: PTE Inversion; VMX: conditional cache flushes, SMT vulnerable', 'mitigated'],
    ['Mitigation: Clear CPU buffers; SMT Host state unknown', 'mitigated'],
    ['KVM: Mitigation: Split huge pages', 'mitigated'],
    ['KVM: Mitigation: VMX disabled', 'mitigated'],
    ['KVM: Vulnerable', 'vulnerable'],
    ['Processor vulnerable', 'vulnerable'],
    ['Unknown: Dependent on hypervisor status', 'unknown'],
    ['', 'unknown'],
    ['   \n', 'unknown'],
  ];
  for (const [text, status] of cases) t.is(parseVulnerabilityStatus(text).status, status, JSON.stringify(text));
  t.deepEqual(parseVulnerabilityStatus('  Mitigation: PTI \n'), { status: 'mitigated', detail: 'Mitigation: PTI' });
});

test('an entry that cannot be read is recorded and the others are still reported', (t) => {
  const { view, dir } = fixtureView(t, { files: vulnerabilityFiles(THIS_MACHINE) });
  replaceWithDirectory(dir, 'sys/devices/system/cpu/vulnerabilities/l1tf');
  const found = readCpuVulnerabilities(view);
  t.is(found.length, 18);
  t.false(found.some((v) => v.name === 'l1tf'));
  t.deepEqual(view.errors.entries.map((e) => [e.stage, e.path, e.code]), [['cpu', '/sys/devices/system/cpu/vulnerabilities/l1tf', 'E_IO']]);
});

test('a kernel without the vulnerabilities directory gives an empty list and no error', (t) => {
  const { view } = fixtureView(t, {});
  t.deepEqual(readCpuVulnerabilities(view), []);
  t.deepEqual(view.errors.entries, []);
});

test('live roots: every file of this kernel, sorted, each as the kernel wrote it', (t) => {
  const view = new HostView(DEFAULT_ROOTS, new ScanErrorLog());
  const found = readCpuVulnerabilities(view);
  t.true(found.length > 0);
  t.deepEqual(found.map((v) => v.name), [...found.map((v) => v.name)].sort());
  for (const v of found) {
    t.true(VULNERABILITY_STATUSES.includes(v.status), v.name);
    t.is(v.detail, readFileSync(`/sys/devices/system/cpu/vulnerabilities/${v.name}`, 'utf8').trim());
  }
  t.deepEqual(view.errors.entries, []);
});
