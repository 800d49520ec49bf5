// VFIO, CPU and host-module rules: the parts of the verdict that come from the host rather than a sandbox.
import test from 'ava';
import { smtLeaks, vmxVulnerable } from '../../src/assess/checks/cpu.js';
import { assess } from '../../src/assess/assess.js';
import type { VfioDevice } from '../../src/model/report.js';
import { allFindings, makeHost, makeInput, makeSandbox, SANDBOX_ID } from './builders.js';

const device = (overrides: Partial<VfioDevice> = {}): VfioDevice => ({
  address: '0000:3b:00.0', iommuGroup: '12', vendorId: '10de', deviceId: '20b0', groupViable: true, sandboxId: SANDBOX_ID, ...overrides,
});
const gpuSandbox = makeSandbox({ devices: [{ class: 'vfio', backend: 'passthrough', id: '0000:3b:00.0', source: 'argv' }] });

test('pass-through is medium on a sound host and high when the host cannot confine the device', (t) => {
  const sound = assess(makeInput({ sandboxes: [gpuSandbox], host: { vfioDevices: [device()] } }));
  const f = sound.sandboxFindings[0]?.find((x) => x.rule === 'KATA-VFIO-001');
  t.is(f?.severity, 'medium');
  t.is(f?.evidence, 'cloud-hypervisor pid 4100 passes through 1 device: 0000:3b:00.0 (argv); holds vfio-pci device 0000:3b:00.0 (IOMMU group 12)');
  const weak = assess(makeInput({ sandboxes: [gpuSandbox], host: { vfioDevices: [device()], iommu: { enabled: true, vfioUnsafeInterrupts: true, vfioNoIommu: false } } }));
  const g = weak.sandboxFindings[0]?.find((x) => x.rule === 'KATA-VFIO-001');
  t.is(g?.severity, 'high');
  t.regex(g?.evidence ?? '', /and VFIO allows unsafe interrupts$/);
  t.deepEqual(weak.hostFindings.map((x) => x.rule), ['KATA-VFIO-004']);
});

test('a non-viable group is a sandbox finding when a trusted sandbox holds it, a host finding otherwise', (t) => {
  const held = assess(makeInput({ sandboxes: [gpuSandbox], host: { vfioDevices: [device({ groupViable: false })] } }));
  t.true(held.sandboxFindings[0]?.some((f) => f.rule === 'KATA-VFIO-002' && f.severity === 'high'));
  t.false(held.hostFindings.some((f) => f.rule === 'KATA-VFIO-003'));

  const lookAlike = makeSandbox({ trusted: false, trustReasons: ['exe-not-allowed'] });
  const untrusted = assess(makeInput({ sandboxes: [lookAlike], host: { vfioDevices: [device({ groupViable: false })] } }));
  t.deepEqual(untrusted.hostFindings.map((f) => f.evidence), [
    `vfio-pci device 0000:3b:00.0 (IOMMU group 12) in a non-viable group (held by untrusted sandbox ${SANDBOX_ID})`,
  ]);
  t.deepEqual(untrusted.sandboxFindings[0]?.map((f) => f.rule), ['KATA-TRUST-001']);

  const twoInGroup = assess(makeInput({ sandboxes: [], host: { vfioDevices: [
    device({ groupViable: false, sandboxId: null }),
    device({ address: '0000:3b:00.1', groupViable: false, sandboxId: null }),
  ] } }));
  t.deepEqual(twoInGroup.hostFindings.map((f) => f.evidence), [
    'vfio-pci devices 0000:3b:00.0 (IOMMU group 12), 0000:3b:00.1 (IOMMU group 12) in a non-viable group (no sandbox holds it)',
  ]);
});

test('no-IOMMU mode is critical once devices are bound to vfio-pci', (t) => {
  const host = { iommu: { enabled: false, vfioUnsafeInterrupts: false, vfioNoIommu: true }, vfioDevices: [device({ iommuGroup: 'noiommu-0' })] };
  const result = assess(makeInput({ sandboxes: [gpuSandbox], host }));
  t.deepEqual(result.hostFindings.map((f) => `${f.severity} ${f.rule}`), ['critical KATA-VFIO-005', 'high KATA-VFIO-006']);
  t.is(result.sandboxFindings[0]?.find((f) => f.rule === 'KATA-VFIO-001')?.severity, 'high');
});

test('VFIO without an IOMMU also fires on a loaded vfio_pci module alone', (t) => {
  const kernelModules = [...makeHost().kernelModules.filter((m) => m.name !== 'vfio_pci'), { name: 'vfio_pci', state: 'loaded' as const }];
  const result = assess(makeInput({ host: { kernelModules, iommu: { enabled: false, vfioUnsafeInterrupts: false, vfioNoIommu: false } } }));
  t.deepEqual(result.hostFindings.map((f) => f.evidence), ['no IOMMU is enabled (no IOMMU groups), yet: module vfio_pci loaded']);
});

test('CPU: vulnerable is high, "SMT vulnerable" under a mitigation is medium, L1TF "VMX: vulnerable" counts as vulnerable', (t) => {
  const cpu = (name: string, status: 'vulnerable' | 'mitigated', detail: string) =>
    assess(makeInput({ host: { cpuVulnerabilities: [{ name, status, detail }] } })).hostFindings.map((f) => `${f.severity} ${f.rule} ${f.evidence}`);
  t.deepEqual(cpu('gather_data_sampling', 'vulnerable', 'Vulnerable: No microcode'),
    ['high KATA-CPU-001 /sys/devices/system/cpu/vulnerabilities/gather_data_sampling: Vulnerable: No microcode']);
  t.deepEqual(cpu('mds', 'vulnerable', 'Vulnerable; SMT vulnerable'),
    ['high KATA-CPU-001 /sys/devices/system/cpu/vulnerabilities/mds: Vulnerable; SMT vulnerable'], 'one finding, not two');
  t.deepEqual(cpu('mmio_stale_data', 'mitigated', 'Mitigation: Clear CPU buffers; SMT vulnerable'),
    ['medium KATA-CPU-002 /sys/devices/system/cpu/vulnerabilities/mmio_stale_data: Mitigation: Clear CPU buffers; SMT vulnerable']);
  t.deepEqual(cpu('l1tf', 'mitigated', 'Mitigation: PTE Inversion; VMX: vulnerable'),
    ['high KATA-CPU-001 /sys/devices/system/cpu/vulnerabilities/l1tf: Mitigation: PTE Inversion; VMX: vulnerable']);
  t.deepEqual(cpu('spec_store_bypass', 'vulnerable', 'Vulnerable'), []);
});

test('vhost modules: loaded and unused fires per module; built-in, absent or used does not', (t) => {
  const kernelModules = [
    { name: 'vhost', state: 'loaded' as const },
    { name: 'vhost_iotlb', state: 'loaded' as const },
    { name: 'vhost_net', state: 'loaded' as const },
    { name: 'vhost_vsock', state: 'loaded' as const },
    { name: 'vhost_scsi', state: 'builtin' as const },
    { name: 'vhost_vdpa', state: 'absent' as const },
  ];
  const netUser = makeSandbox({ devices: [{ class: 'net', backend: 'vhost-kernel', id: 'net0', source: 'argv' }] });
  const result = assess(makeInput({ sandboxes: [netUser], host: { kernelModules } }));
  t.deepEqual(result.hostFindings.map((f) => f.evidence), [
    'vhost_vsock is loaded as a module (not built in) and no trusted sandbox on this node uses a vhost-vsock device (1 trusted sandbox checked)',
  ]);
  t.deepEqual(allFindings(result).map((f) => f.rule).sort(), ['KATA-HOST-001', 'KATA-NET-001']);
});

test('SMT and VMX weakness hidden inside a mitigated l1tf', (t) => {
  const l1tf = 'Mitigation: PTE Inversion; VMX: conditional cache flushes, SMT vulnerable';
  t.true(smtLeaks(l1tf));
  t.false(vmxVulnerable(l1tf));
  t.true(vmxVulnerable('Mitigation: PTE Inversion; VMX: vulnerable, SMT vulnerable'));
  t.false(smtLeaks('Mitigation: PTE Inversion; VMX: cache flushes, SMT disabled'));
  t.false(smtLeaks('Mitigation: Clear CPU buffers; SMT Host state unknown'));
  t.true(smtLeaks('Mitigation: Clear CPU buffers; SMT vulnerable'));
  t.false(smtLeaks('Mitigation: PTE Inversion; VMX: EPT disabled'));
});
