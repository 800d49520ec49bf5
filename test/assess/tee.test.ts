import test from 'ava';
import { assess } from '../../src/assess/assess.js';
import { allFindings, makeInput, makeSandbox, SANDBOX_ID } from './builders.js';
import type { ConfidentialGuest } from '../../src/model/report.js';

const guest = (overrides: Partial<ConfidentialGuest> = {}): ConfidentialGuest => ({
  tee: 'tdx', source: 'argv', objectId: 'tdx', enabled: true, debug: false, policy: null, firmware: null, kernelDebug: [], ...overrides,
});
const TEE_HOST = { tdx: true, sev: true, sevEs: true, sevSnp: true, se: null, files: [] };
const findingsOf = (input: ReturnType<typeof makeInput>, rule: string) => allFindings(assess(input)).filter((f) => f.rule === rule);
const vfioDevice = { address: '0000:3b:00.0', iommuGroup: '12', vendorId: '10de', deviceId: '20b0', groupViable: true, cdev: 'vfio0' };

test('unsafe interrupts are critical while a running sandbox holds a passed-through device, high otherwise', (t) => {
  const iommu = { enabled: true, vfioUnsafeInterrupts: true, vfioNoIommu: false };
  const idle = findingsOf(makeInput({ host: { iommu, vfioDevices: [{ ...vfioDevice, sandboxId: null }] } }), 'KATA-VFIO-004');
  t.is(idle[0]?.severity, 'high');
  const held = findingsOf(makeInput({ host: { iommu, vfioDevices: [{ ...vfioDevice, sandboxId: SANDBOX_ID }] } }), 'KATA-VFIO-004');
  t.is(held[0]?.severity, 'critical');
  t.regex(held[0]!.evidence, new RegExp(`passed through to running sandbox ${SANDBOX_ID}`));
  const argv = findingsOf(makeInput({
    host: { iommu: { enabled: true, vfioUnsafeInterrupts: false, vfioNoIommu: false, iommufdUnsafeInterrupts: true } },
    sandboxes: [makeSandbox({ devices: [{ class: 'vfio', backend: 'passthrough', id: 'gpu0', source: 'argv', address: '0000:3b:00.0', vfio: 'iommufd' }] })],
  }), 'KATA-VFIO-004');
  t.is(argv[0]?.severity, 'critical');
  t.regex(argv[0]!.evidence, /^\/sys\/module\/iommufd\/parameters\/allow_unsafe_interrupts is enabled/);
});

test('a cdev names its IOMMU group in the pass-through evidence, and a device names its host address', (t) => {
  const input = makeInput({
    host: { vfioDevices: [{ ...vfioDevice, sandboxId: SANDBOX_ID }] },
    sandboxes: [makeSandbox({ devices: [{ class: 'vfio', backend: 'passthrough', id: 'gpu0', source: 'argv', address: '0000:3b:00.0', vfio: 'iommufd' }] })],
  });
  const [f] = findingsOf(input, 'KATA-VFIO-001');
  t.regex(f!.evidence, /gpu0 host 0000:3b:00\.0 via IOMMUFD \(argv\)/);
  t.regex(f!.evidence, /0000:3b:00\.0 \(cdev vfio0, IOMMU group 12\)/);
});

test('the debug console raises KATA-TEE-006 to high; other debug switches stay medium', (t) => {
  const run = (kernelDebug: string[]) => findingsOf(makeInput({ host: { tee: TEE_HOST }, sandboxes: [makeSandbox({ confidential: guest({ kernelDebug }) })] }), 'KATA-TEE-006');
  t.is(run(['agent.log=debug'])[0]?.severity, 'medium');
  t.is(run(['agent.debug_console', 'agent.log=debug'])[0]?.severity, 'high');
});

test('TEE rules judge only what QEMU enables, and never untrusted sandboxes', (t) => {
  const inert = makeInput({ host: { tee: { ...TEE_HOST, tdx: false } }, sandboxes: [makeSandbox({ confidential: guest({ enabled: false, debug: true }) })] });
  const rules = allFindings(assess(inert)).map((f) => f.rule);
  t.true(rules.includes('KATA-TEE-007'));
  t.false(rules.includes('KATA-TEE-001'));
  t.false(rules.includes('KATA-TEE-004'));
  const untrusted = makeInput({ sandboxes: [makeSandbox({ trusted: false, trust: 'untrusted', confidential: guest({ debug: true }) })] });
  t.false(allFindings(assess(untrusted)).some((f) => f.rule.startsWith('KATA-TEE-')));
});

test('a host that does not say (older report, no kvm_intel) counts as absent capability', (t) => {
  const [f] = findingsOf(makeInput({ sandboxes: [makeSandbox({ confidential: guest() })] }), 'KATA-TEE-004');
  t.regex(f!.evidence, /\/sys\/module\/kvm_intel\/parameters\/tdx is absent/);
  const [off] = findingsOf(makeInput({ host: { tee: { ...TEE_HOST, sevSnp: false } }, sandboxes: [makeSandbox({ confidential: guest({ tee: 'sev-snp', objectId: 'snp' }) })] }), 'KATA-TEE-004');
  t.regex(off!.evidence, /sev_snp is off/);
});
