// Literal Reports for the exposition tests: outputs are pure functions of a Report, so a hand-built one pins
// every family without a host tree.
import type { Finding, Report, Sandbox, SandboxProcess } from '../../src/model/report.js';
import { makeProcess } from '../assess/builders.js';

export const SANDBOX_A = 'a'.repeat(64);
export const SANDBOX_B = 'b'.repeat(64);
export const LOOKALIKE = 'fake-sandbox';

/** A well-confined process (the assess tests' default), as root with the role named in its comm and exe. */
export function sampleProcess(overrides: Partial<SandboxProcess> & Pick<SandboxProcess, 'pid' | 'role'>): SandboxProcess {
  return makeProcess({
    ppid: 1,
    comm: overrides.role,
    exe: `/opt/kata/bin/${overrides.role}`,
    uid: 0,
    threads: 4,
    nspid: [overrides.pid],
    ...overrides,
  });
}

export function sampleFinding(rule: string, severity: Finding['severity'], sandboxId: string | null): Finding {
  return { rule, severity, title: `${rule} title`, sandboxId, evidence: `${rule} evidence`, remediation: `${rule} remediation` };
}

export function sampleSandbox(id: string, overrides: Partial<Sandbox> = {}): Sandbox {
  return {
    id,
    vmm: 'qemu',
    trusted: true,
    trustReasons: [],
    runtime: 'go',
    pod: { uid: '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0', name: `pod-${id.slice(0, 4)}`, namespace: 'default' },
    processes: [
      sampleProcess({ pid: 100, role: 'shim', seccomp: 'disabled', threadsWithoutSeccomp: 8, capEffective: '000001ffffffffff', capEffectiveCount: 41, sharedNamespaces: ['mnt', 'net', 'pid', 'user', 'ipc', 'uts', 'cgroup'] }),
      sampleProcess({ pid: 101, role: 'vmm', seccomp: 'filter', threadsWithoutSeccomp: 1, capEffectiveCount: 2, sharedNamespaces: ['user'] }),
      sampleProcess({ pid: 102, role: 'virtiofsd', seccomp: 'disabled', threads: 1, threadsWithoutSeccomp: 1, capEffectiveCount: 0, sharedNamespaces: [] }),
      sampleProcess({ pid: 103, role: 'virtiofsd', seccomp: 'filter', threads: 3, threadsWithoutSeccomp: 1, capEffectiveCount: 9, sharedNamespaces: ['user'], uid: 0 }),
    ],
    devices: [
      { class: 'net', backend: 'vhost-kernel', id: 'net0', source: 'argv' },
      { class: 'net', backend: 'vhost-kernel', id: 'net1', source: 'argv' },
      { class: 'fs', backend: 'vhost-user', id: 'fs0', source: 'argv' },
      { class: 'vsock', backend: 'vhost-kernel', id: 'vsock0', source: 'fd' },
    ],
    hotplug: { cpu: true, memory: false, pci: true },
    virtiofs: {
      sandbox: 'namespace', seccomp: 'filter', cache: 'auto', dax: false, declaredSandbox: 'namespace', declaredSeccomp: null,
      sharedDir: `/run/kata-containers/shared/sandboxes/${id}/shared`, implementation: 'c',
    },
    findings: [sampleFinding('KATA-NET-001', 'medium', id)],
    exposureScore: 40,
    ...overrides,
  };
}

export function sampleReport(overrides: Partial<Report> = {}): Report {
  const report: Report = {
    schemaVersion: 1,
    generatedAt: '2025-01-02T03:04:05.000Z',
    node: { hostname: 'node-a', kernelRelease: '6.8.0-45-generic', os: 'Ubuntu 24.04.1 LTS', arch: 'x86_64', cpuVirtualization: true, isVirtualMachine: false },
    host: {
      kernelModules: [
        { name: 'vhost_net', state: 'loaded' },
        { name: 'vhost_vsock', state: 'builtin' },
        { name: 'vfio_pci', state: 'absent' },
      ],
      iommu: { enabled: true, vfioUnsafeInterrupts: false, vfioNoIommu: false },
      vfioDevices: [
        { address: '0000:01:00.0', iommuGroup: '1', vendorId: '0x10de', deviceId: '0x1eb8', groupViable: true, sandboxId: SANDBOX_B },
        { address: '0000:02:00.0', iommuGroup: '2', vendorId: '0x10de', deviceId: '0x2204', groupViable: false, sandboxId: null },
      ],
      cpuVulnerabilities: [
        { name: 'spectre_v2', status: 'mitigated', detail: 'Mitigation: Enhanced IBRS' },
        { name: 'mds', status: 'not_affected', detail: 'Not affected' },
      ],
      kataConfig: [],
      referenceNamespaces: { mnt: '4026531841', net: '4026531840' },
      referencePid: 1,
    },
    sandboxes: [
      sampleSandbox(SANDBOX_A),
      sampleSandbox(SANDBOX_B, {
        vmm: 'cloud-hypervisor',
        exposureScore: 70,
        devices: [{ class: 'vfio', backend: 'passthrough', id: 'gpu0', source: 'argv' }],
        virtiofs: null,
        findings: [sampleFinding('KATA-VFIO-001', 'high', SANDBOX_B)],
      }),
      sampleSandbox(LOOKALIKE, {
        trusted: false,
        trustReasons: ['exe-not-allowed'],
        pod: { uid: null, name: null, namespace: null },
        findings: [sampleFinding('KATA-TRUST-001', 'high', LOOKALIKE)],
        exposureScore: 0,
      }),
    ],
    findings: [sampleFinding('KATA-HOST-001', 'low', null)],
    errors: [
      { stage: 'process', path: '/proc/1/ns/mnt', code: 'E_ACCESS', message: 'permission denied' },
      { stage: 'process', path: '/proc/2/exe', code: 'E_ACCESS', message: 'permission denied' },
      { stage: 'kata-config', path: '/etc/kata-containers/configuration.toml', code: 'E_MISSING', message: 'missing' },
    ],
    limits: { sandboxesOmitted: 0, untrustedOmitted: 0 },
    collectors: [
      { name: 'node', success: true, durationSeconds: 0.001 },
      { name: 'processes', success: true, durationSeconds: 0.02 },
      { name: 'vfio', success: false, durationSeconds: 0.003 },
    ],
    scan: { durationSeconds: 0.05, processesSeen: 120, candidates: 9, errorsByStage: {} },
    ...overrides,
  };
  // As the engine does: every recorded error is counted per stage.
  if (!overrides.scan) {
    const counts: Record<string, number> = {};
    for (const error of report.errors) counts[error.stage] = (counts[error.stage] ?? 0) + 1;
    report.scan = { ...report.scan, errorsByStage: counts };
  }
  return report;
}

export const BUILD_INFO = { version: '0.1.0', revision: 'test', nodejs: 'v20.0.0' };
