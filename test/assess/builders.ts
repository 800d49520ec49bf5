// Literal AssessInput builders. The defaults describe a sandbox and a host that fire no rule at all (a
// rootless, seccomp-filtered VMM with userspace devices on a host with a working IOMMU), so every test states
// only the one thing it changes.

import type { AssessInput } from '../../src/assess/types.js';
import type { Finding, HostFacts, KataConfigSummary, SandboxProcess, VirtiofsState } from '../../src/model/report.js';

export type InputSandbox = AssessInput['sandboxes'][number];

export const SANDBOX_ID = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';

export function makeProcess(overrides: Partial<SandboxProcess> = {}): SandboxProcess {
  return {
    pid: 4100,
    ppid: 4000,
    role: 'vmm',
    comm: 'cloud-hyperviso',
    exe: '/opt/kata/bin/cloud-hypervisor',
    uid: 1000,
    seccomp: 'filter',
    threads: 8,
    threadsWithoutSeccomp: 0,
    noNewPrivs: true,
    capEffective: '0000000000000000',
    capEffectiveCount: 0,
    sharedNamespaces: [],
    namespacesKnown: true,
    nspid: [4100],
    exeAllowed: true,
    ...overrides,
  };
}

export function makeShim(overrides: Partial<SandboxProcess> = {}): SandboxProcess {
  return makeProcess({
    pid: 4000, ppid: 1, role: 'shim', comm: 'containerd-shim', exe: '/opt/kata/bin/containerd-shim-kata-v2',
    uid: 0, seccomp: 'disabled', threads: 12, threadsWithoutSeccomp: 12, noNewPrivs: false,
    capEffective: '000001ffffffffff', capEffectiveCount: 41, nspid: [4000],
    ...overrides,
  });
}

export function makeVirtiofsd(overrides: Partial<SandboxProcess> = {}): SandboxProcess {
  return makeProcess({
    pid: 4123, ppid: 4000, role: 'virtiofsd', comm: 'virtiofsd', exe: '/opt/kata/libexec/virtiofsd', uid: 0,
    threads: 2, capEffective: '00000000880000db', capEffectiveCount: 8, nspid: [4123, 1],
    ...overrides,
  });
}

export function makeVirtiofs(overrides: Partial<VirtiofsState> = {}): VirtiofsState {
  return {
    sandbox: 'namespace',
    seccomp: 'filter',
    cache: 'auto',
    dax: false,
    declaredSandbox: null,
    declaredSeccomp: null,
    sharedDir: `/run/kata-containers/shared/sandboxes/${SANDBOX_ID}/shared`,
    implementation: 'rust',
    ...overrides,
  };
}

export function makeSandbox(overrides: Partial<InputSandbox> = {}): InputSandbox {
  return {
    id: SANDBOX_ID,
    vmm: 'cloud-hypervisor',
    trusted: true,
    trustReasons: [],
    runtime: 'go',
    pod: { uid: '0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0', name: 'web-0', namespace: 'default' },
    processes: [makeShim(), makeProcess()],
    devices: [
      { class: 'net', backend: 'vmm', id: 'net0', source: 'default' },
      { class: 'vsock', backend: 'vmm', id: 'vsock0', source: 'default' },
      { class: 'blk', backend: 'vmm', id: 'disk0', source: 'default' },
    ],
    hotplug: { cpu: false, memory: false, pci: false },
    virtiofs: null,
    ...overrides,
  };
}

export function makeConfig(overrides: Partial<KataConfigSummary> = {}): KataConfigSummary {
  return {
    path: '/opt/kata/share/defaults/kata-containers/configuration-clh.toml',
    dropIns: [],
    hypervisor: 'clh',
    settings: { enable_annotations: ['enable_iommu'], rootless: true, disable_seccomp: false },
    inUse: true,
    ...overrides,
  };
}

export function makeHost(overrides: Partial<HostFacts> = {}): HostFacts {
  return {
    kernelModules: [
      { name: 'kvm', state: 'loaded' },
      { name: 'kvm_intel', state: 'loaded' },
      { name: 'vhost', state: 'absent' },
      { name: 'vhost_net', state: 'absent' },
      { name: 'vhost_vsock', state: 'absent' },
      { name: 'vhost_scsi', state: 'absent' },
      { name: 'vhost_vdpa', state: 'absent' },
      { name: 'vfio_pci', state: 'absent' },
    ],
    iommu: { enabled: true, vfioUnsafeInterrupts: false, vfioNoIommu: false },
    vfioDevices: [],
    cpuVulnerabilities: [
      { name: 'l1tf', status: 'not_affected', detail: 'Not affected' },
      { name: 'mds', status: 'mitigated', detail: 'Mitigation: Clear CPU buffers; SMT disabled' },
      { name: 'meltdown', status: 'vulnerable', detail: 'Vulnerable' },
    ],
    kataConfig: [makeConfig()],
    referenceNamespaces: { mnt: '4026531841', net: '4026531840' },
    referencePid: 1,
    ...overrides,
  };
}

export function makeInput(parts: { sandboxes?: InputSandbox[]; host?: Partial<HostFacts> } = {}): AssessInput {
  return {
    node: { hostname: 'node-1', kernelRelease: '6.8.0', os: 'Debian 12', arch: 'x64', cpuVirtualization: true, isVirtualMachine: false },
    host: makeHost(parts.host),
    sandboxes: parts.sandboxes ?? [makeSandbox()],
  };
}

/** Every finding of an assessment, host and sandboxes together. */
export function allFindings(result: { hostFindings: Finding[]; sandboxFindings: Finding[][] }): Finding[] {
  return [...result.hostFindings, ...result.sandboxFindings.flat()];
}
