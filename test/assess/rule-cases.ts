// One pair of literal inputs per rule: `fires` must produce a finding of the rule, `quiet` must not. The quiet
// input is a near miss where one exists (a built-in module, a pending virtiofsd, an unused config file), so
// the pair pins the rule's boundary, not just its existence. catalogue.test.ts fails if a rule has no pair.

import type { AssessInput } from '../../src/assess/types.js';
import type { PolicyEntrySummary } from '../../src/model/report.js';
import {
  SANDBOX_ID, makeConfig, makeHost, makeInput, makeProcess, makeSandbox, makeShim, makeVirtiofs, makeVirtiofsd,
} from './builders.js';

export interface RuleCase {
  fires: AssessInput;
  quiet: AssessInput;
}

const withDevice = (device: AssessInput['sandboxes'][number]['devices'][number]): AssessInput =>
  makeInput({ sandboxes: [makeSandbox({ devices: [device] })] });

const withConfig = (settings: Record<string, unknown>, hypervisor = 'clh', inUse = true): AssessInput =>
  makeInput({ host: { kataConfig: [makeConfig({ hypervisor, inUse, settings: { rootless: true, ...settings } })] } });

const withVirtiofs = (state: Parameters<typeof makeVirtiofs>[0]): AssessInput =>
  makeInput({ sandboxes: [makeSandbox({ processes: [makeShim(), makeProcess(), makeVirtiofsd()], virtiofs: makeVirtiofs(state) })] });

const nydusd = makeVirtiofsd({ comm: 'nydusd', exe: '/opt/kata/libexec/nydusd', threads: 6, capEffective: '000001ffffffffff', capEffectiveCount: 41, nspid: [4123], sharedNamespaces: ['mnt', 'net', 'pid'], seccomp: 'disabled' });
const withNydusd = (state: Parameters<typeof makeVirtiofs>[0]): AssessInput =>
  makeInput({ sandboxes: [makeSandbox({ vmm: 'qemu', processes: [makeShim(), makeProcess(), nydusd], virtiofs: makeVirtiofs({ daemon: 'nydusd', declaredSandbox: 'none', declaredSeccomp: 'none', cache: null, sharedDir: null, implementation: 'unknown', ...state }) })] });

const withVmm = (overrides: Parameters<typeof makeProcess>[0]): AssessInput =>
  makeInput({ sandboxes: [makeSandbox({ processes: [makeShim(), makeProcess(overrides)] })] });

const withCpu = (name: string, status: 'vulnerable' | 'mitigated' | 'not_affected', detail: string): AssessInput =>
  makeInput({ host: { cpuVulnerabilities: [{ name, status, detail }] } });

const withModule = (name: string, state: 'loaded' | 'builtin' | 'absent'): AssessInput =>
  makeInput({ host: { kernelModules: [...makeHost().kernelModules.filter((m) => m.name !== name), { name, state }] } });

const vfioDevice = (overrides: Partial<AssessInput['host']['vfioDevices'][number]> = {}): AssessInput['host']['vfioDevices'][number] => ({
  address: '0000:3b:00.0', iommuGroup: '12', vendorId: '10de', deviceId: '20b0', groupViable: true, sandboxId: null, ...overrides,
});

const policyEntry = (overrides: Partial<PolicyEntrySummary> = {}): PolicyEntrySummary => ({
  index: 0, rule: 'KATA-NET-001', owner: 'team-batch', expires: '2027-03-31T23:59:59Z', expired: false, matched: 1,
  matchedSinceLoad: true, appliesToNode: true, ...overrides,
});

const withPolicy = (entry: PolicyEntrySummary): AssessInput => ({ ...makeInput(), policy: { file: '/etc/kata-audit/policy.yaml', entries: [entry] } });

type Confidential = NonNullable<AssessInput['sandboxes'][number]['confidential']>;
const tdxGuest = (overrides: Partial<Confidential> = {}): Confidential => ({
  tee: 'tdx', source: 'argv', objectId: 'tdx', enabled: true, debug: false, policy: null,
  firmware: '/opt/kata/share/ovmf/OVMF.inteltdx.fd', kernelDebug: [], ...overrides,
});
const snpGuest = (policy: string, debug: boolean): Confidential =>
  tdxGuest({ tee: 'sev-snp', objectId: 'snp', policy, debug, firmware: '/opt/kata/share/ovmf/AMDSEV.fd' });
const TEE_HOST = { tdx: true, sev: true, sevEs: true, sevSnp: true, se: null, files: [] };
const withGuest = (confidential: Confidential, sandbox: Parameters<typeof makeSandbox>[0] = {}, host: Partial<AssessInput['host']> = {}): AssessInput =>
  makeInput({ host: { tee: TEE_HOST, ...host }, sandboxes: [makeSandbox({ confidential, ...sandbox })] });
const vfioArgv = (vfio: 'iommufd' | 'group') =>
  ({ class: 'vfio', backend: 'passthrough', id: 'vfio0', source: 'argv', address: '0000:3b:00.0', vfio } as const);

export const RULE_CASES: Readonly<Record<string, RuleCase>> = {
  'KATA-BLK-001': {
    fires: withDevice({ class: 'scsi', backend: 'vhost-kernel', id: 'vhost-scsi0', source: 'argv' }),
    quiet: withDevice({ class: 'scsi', backend: 'vmm', id: 'scsi0', source: 'argv' }),
  },
  'KATA-CFG-001': {
    fires: withConfig({ enable_annotations: ['enable_iommu', 'virtio_fs_extra_args', 'kernel_params'] }),
    quiet: withConfig({ enable_annotations: ['enable_iommu', 'virtio_fs_extra_args'] }, 'clh', false),
  },
  'KATA-CFG-002': {
    fires: withConfig({ enable_annotations: ['path'], valid_hypervisor_paths: ['/opt/kata/bin/cloud-hypervisor'] }),
    quiet: withConfig({ enable_annotations: ['enable_iommu'], valid_hypervisor_paths: ['/opt/kata/bin/*'] }),
  },
  'KATA-CFG-003': {
    fires: withConfig({ enable_annotations: ['initrd'] }),
    quiet: withConfig({ enable_annotations: ['kernel_params'] }),
  },
  'KATA-CFG-004': {
    fires: withConfig({ enable_annotations: ['enable_iommu', 'kernel_params', 'kernel_verity_params'] }),
    quiet: withConfig({ enable_annotations: ['enable_iommu', 'kernel_verity_params'] }),
  },
  'KATA-CFG-005': {
    fires: withConfig({ seccompsandbox: '' }, 'qemu'),
    quiet: withConfig({ seccompsandbox: 'on,obsolete=deny,spawn=deny,resourcecontrol=deny' }, 'qemu'),
  },
  'KATA-CFG-006': {
    fires: withConfig({ disable_seccomp: true }),
    quiet: withConfig({ disable_seccomp: false }),
  },
  'KATA-CFG-007': {
    fires: withConfig({ virtio_fs_extra_args: ['--thread-pool-size=1', '--sandbox=none'] }),
    quiet: withConfig({ virtio_fs_extra_args: ['--thread-pool-size=1', '--announce-submounts'] }),
  },
  'KATA-CFG-008': {
    fires: withConfig({ debug_console_enabled: true }),
    quiet: withConfig({ debug_console_enabled: false }),
  },
  'KATA-CFG-009': {
    fires: withConfig({ enable_debug: true }),
    quiet: withConfig({ enable_debug: false }),
  },
  'KATA-CFG-010': {
    fires: withConfig({ enable_pprof: true }),
    quiet: withConfig({ enable_pprof: false }),
  },
  'KATA-CFG-011': {
    fires: withConfig({ rootless: false }),
    quiet: withConfig({ rootless: false }, 'firecracker'),
  },
  'KATA-CFG-012': {
    // Through kata-deploy 4.0.0, Helm debug: true put 20-debug.toml into the production class's config.d too.
    fires: makeInput({ host: { kataConfig: [makeConfig({
      dropIns: ['/opt/kata/share/defaults/kata-containers/runtimes/clh/config.d/20-debug.toml'],
      handlers: ['kata-clh'], sandboxes: ['s1'], settings: { rootless: true, debug_console_enabled: true },
    })] } }),
    // 4.1 keeps it to the -debug class, where it is the point (KATA-CFG-008 still reports the console).
    quiet: makeInput({ host: { kataConfig: [makeConfig({
      dropIns: ['/opt/kata/share/defaults/kata-containers/runtimes/clh-debug/config.d/20-debug.toml'],
      handlers: ['kata-clh-debug'], settings: { rootless: true, debug_console_enabled: true },
    })] } }),
  },
  'KATA-CPU-001': {
    fires: withCpu('mds', 'vulnerable', 'Vulnerable: Clear CPU buffers attempted, no microcode; SMT vulnerable'),
    quiet: withCpu('meltdown', 'vulnerable', 'Vulnerable'),
  },
  'KATA-CPU-002': {
    fires: withCpu('l1tf', 'mitigated', 'Mitigation: PTE Inversion; VMX: conditional cache flushes, SMT vulnerable'),
    quiet: withCpu('l1tf', 'mitigated', 'Mitigation: PTE Inversion; VMX: conditional cache flushes, SMT disabled'),
  },
  'KATA-HOST-001': {
    fires: withModule('vhost_vsock', 'loaded'),
    quiet: withModule('vhost_vsock', 'builtin'),
  },
  'KATA-HOTPLUG-001': {
    fires: makeInput({ sandboxes: [makeSandbox({ hotplug: { cpu: true, memory: false, pci: false } })] }),
    quiet: makeInput({ sandboxes: [makeSandbox({ hotplug: { cpu: false, memory: false, pci: true } })] }),
  },
  'KATA-HOTPLUG-002': {
    fires: makeInput({ sandboxes: [makeSandbox({ hotplug: { cpu: false, memory: false, pci: true } })] }),
    quiet: makeInput({ sandboxes: [makeSandbox({ hotplug: { cpu: true, memory: true, pci: false } })] }),
  },
  'KATA-NET-001': {
    fires: withDevice({ class: 'net', backend: 'vhost-kernel', id: 'net0', source: 'argv' }),
    quiet: withDevice({ class: 'net', backend: 'vmm', id: 'net0', source: 'argv' }),
  },
  'KATA-NET-002': {
    fires: withDevice({ class: 'vdpa', backend: 'vhost-kernel', id: '/dev/vhost-vdpa-0', source: 'fd' }),
    quiet: withDevice({ class: 'net', backend: 'vhost-kernel', id: '/dev/vhost-net', source: 'fd' }),
  },
  'KATA-POLICY-001': {
    fires: withPolicy(policyEntry({ expired: true, matched: 0 })),
    // Expiring tomorrow is not expired (the expiry alert warns about that, not a finding).
    quiet: withPolicy(policyEntry({ expired: false })),
  },
  'KATA-POLICY-002': {
    // Matched nothing now, but matched earlier since the load: not unmatched for the whole run.
    fires: withPolicy(policyEntry({ matched: 0, matchedSinceLoad: false })),
    quiet: withPolicy(policyEntry({ matched: 0, matchedSinceLoad: true })),
  },
  'KATA-TEE-009': {
    fires: withGuest(tdxGuest({ tee: null, source: 'config', objectId: null, enabled: false, firmware: null })),
    // A TEE object that runs is judged by the other TEE rules, not this one.
    quiet: withGuest(tdxGuest()),
  },
  'KATA-TEE-001': {
    fires: withGuest(tdxGuest({ debug: true })),
    quiet: withGuest(tdxGuest({ debug: false })),
  },
  'KATA-TEE-002': {
    fires: withGuest(snpGuest('0xb0000', true)),
    quiet: withGuest(snpGuest('196608', false)),
  },
  'KATA-TEE-003': {
    fires: withGuest(tdxGuest(), { devices: [vfioArgv('group')] }),
    quiet: withGuest(tdxGuest(), { devices: [vfioArgv('iommufd')] }),
  },
  'KATA-TEE-004': {
    fires: withGuest(tdxGuest(), {}, { tee: { ...TEE_HOST, tdx: false } }),
    quiet: withGuest(tdxGuest(), {}, { tee: { ...TEE_HOST, tdx: true } }),
  },
  'KATA-TEE-005': {
    fires: withGuest(tdxGuest(), { devices: [{ class: 'fs', backend: 'vhost-user', id: null, source: 'argv' }] }),
    quiet: withGuest(tdxGuest({ enabled: false }), { devices: [{ class: 'fs', backend: 'vhost-user', id: null, source: 'argv' }] }),
  },
  'KATA-TEE-006': {
    fires: withGuest(tdxGuest({ kernelDebug: ['agent.log=debug'] })),
    quiet: withGuest(tdxGuest({ kernelDebug: [] })),
  },
  'KATA-TEE-007': {
    fires: withGuest(tdxGuest({ enabled: false })),
    quiet: withGuest(tdxGuest({ enabled: true })),
  },
  'KATA-TEE-008': {
    fires: withConfig({ confidential_guest: true, snp_guest_policy: 720896 }, 'qemu'),
    quiet: withConfig({ confidential_guest: true, snp_guest_policy: 196608 }, 'qemu'),
  },
  'KATA-TRUST-001': {
    fires: makeInput({ sandboxes: [makeSandbox({ trusted: false, trustReasons: ['exe-not-allowed'] })] }),
    quiet: makeInput({ sandboxes: [makeSandbox({ trusted: false, trustReasons: ['no-shim'] })] }),
  },
  'KATA-TRUST-002': {
    fires: makeInput({ sandboxes: [makeSandbox({ trusted: false, trustReasons: ['no-shim'], processes: [makeProcess({ ppid: 1 })] })] }),
    quiet: makeInput({ sandboxes: [makeSandbox({ trusted: false, trustReasons: ['no-shim', 'uid-mismatch'] })] }),
  },
  'KATA-TRUST-003': {
    fires: makeInput({ sandboxes: [makeSandbox({ id: `untrusted:${SANDBOX_ID}`, claimedId: SANDBOX_ID, trusted: false, trust: 'untrusted', trustReasons: ['duplicate-id'] })] }),
    // Unverified (the agent could not read the anchors) is never a finding.
    quiet: makeInput({ sandboxes: [makeSandbox({ id: `unverified:${SANDBOX_ID}`, trusted: false, trust: 'unknown', trustReasons: [] })] }),
  },
  'KATA-VFIO-001': {
    fires: withDevice({ class: 'vfio', backend: 'passthrough', id: '0000:3b:00.0', source: 'fd' }),
    quiet: makeInput({ host: { vfioDevices: [vfioDevice()] } }),
  },
  'KATA-VFIO-002': {
    fires: makeInput({ host: { vfioDevices: [vfioDevice({ groupViable: false, sandboxId: SANDBOX_ID })] } }),
    quiet: makeInput({ host: { vfioDevices: [vfioDevice({ groupViable: true, sandboxId: SANDBOX_ID })] } }),
  },
  'KATA-VFIO-003': {
    fires: makeInput({ host: { vfioDevices: [vfioDevice({ groupViable: false })] } }),
    quiet: makeInput({ host: { vfioDevices: [vfioDevice({ groupViable: false, sandboxId: SANDBOX_ID })] } }),
  },
  'KATA-VFIO-004': {
    fires: makeInput({ host: { iommu: { enabled: true, vfioUnsafeInterrupts: true, vfioNoIommu: false } } }),
    quiet: makeInput({ host: { iommu: { enabled: true, vfioUnsafeInterrupts: false, vfioNoIommu: false } } }),
  },
  'KATA-VFIO-005': {
    fires: makeInput({ host: { iommu: { enabled: false, vfioUnsafeInterrupts: false, vfioNoIommu: true } } }),
    quiet: makeInput({ host: { iommu: { enabled: false, vfioUnsafeInterrupts: false, vfioNoIommu: false } } }),
  },
  'KATA-VFIO-006': {
    fires: makeInput({ host: { iommu: { enabled: false, vfioUnsafeInterrupts: false, vfioNoIommu: false }, vfioDevices: [vfioDevice({ iommuGroup: null })] } }),
    quiet: makeInput({ host: { iommu: { enabled: false, vfioUnsafeInterrupts: false, vfioNoIommu: false }, vfioDevices: [] } }),
  },
  'KATA-VFS-001': {
    fires: withVirtiofs({ sandbox: 'chroot', declaredSandbox: 'chroot', implementation: 'c' }),
    quiet: withVirtiofs({ sandbox: 'pending', seccomp: 'disabled', declaredSandbox: 'chroot', implementation: 'c' }),
  },
  'KATA-VFS-002': {
    fires: withVirtiofs({ sandbox: 'namespace', seccomp: 'disabled', declaredSeccomp: 'none' }),
    quiet: withVirtiofs({ sandbox: 'pending', seccomp: 'disabled', declaredSandbox: 'none', declaredSeccomp: 'none' }),
  },
  'KATA-VFS-003': {
    fires: withVirtiofs({ dax: true, cache: 'always' }),
    quiet: withVirtiofs({ dax: false }),
  },
  'KATA-VFS-004': {
    fires: withVirtiofs({ sandbox: 'pending', seccomp: 'disabled' }),
    quiet: withVirtiofs({ sandbox: 'namespace' }),
  },
  'KATA-VFS-005': {
    fires: withNydusd({ sandbox: 'none', seccomp: 'disabled' }),
    // A nydusd that something did put in namespaces of its own (nydusd cannot itself) is not unconfined.
    quiet: withNydusd({ sandbox: 'namespace', seccomp: 'disabled' }),
  },
  'KATA-VMM-001': {
    fires: withVmm({ seccomp: 'disabled', threadsWithoutSeccomp: 8, noNewPrivs: false }),
    quiet: withVmm({ seccomp: 'filter' }),
  },
  'KATA-VMM-002': {
    fires: withVmm({ sharedNamespaces: ['net', 'ipc'] }),
    quiet: withVmm({ sharedNamespaces: [], namespacesKnown: false }),
  },
  'KATA-VMM-003': {
    fires: withVmm({ seccomp: 'filter', threads: 9, threadsWithoutSeccomp: 1 }),
    quiet: withVmm({ seccomp: 'disabled', threads: 9, threadsWithoutSeccomp: 9 }),
  },
  'KATA-VMM-004': {
    fires: withVmm({ uid: 0, capEffective: '000001ffffffffff', capEffectiveCount: 41 }),
    quiet: withVmm({ uid: 1000 }),
  },
  'KATA-VSOCK-001': {
    fires: withDevice({ class: 'vsock', backend: 'vhost-kernel', id: 'vsock0', source: 'argv' }),
    quiet: withDevice({ class: 'vsock', backend: 'vmm', id: 'vsock0', source: 'default' }),
  },
};
