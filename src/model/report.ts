// The Report: one plain data model. The JSON report is its serialisation (schema version 1) and every
// output (metrics, table, HTML, textfile) is a pure function of it. Field names and meanings listed in the
// README's "JSON report" section are a contract; new fields may be added, existing ones never change meaning.

import type { TrustReason } from './trust-reason.js';

export type { TrustReason } from './trust-reason.js';

export const SCHEMA_VERSION = 1 as const;

export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';
export const SEVERITIES: readonly Severity[] = ['info', 'low', 'medium', 'high', 'critical'];

/** openvmm, stratovirt and remote (peer pods: no local VMM) were added in schema 1 after the first four. */
export type VmmKind = 'qemu' | 'firecracker' | 'cloud-hypervisor' | 'dragonball' | 'openvmm' | 'stratovirt' | 'remote';
export const VMM_KINDS: readonly VmmKind[] = ['qemu', 'firecracker', 'cloud-hypervisor', 'dragonball', 'openvmm', 'stratovirt', 'remote'];

export type ProcessRole = 'shim' | 'vmm' | 'jailer' | 'virtiofsd';

export type SandboxTrust = 'trusted' | 'untrusted' | 'unknown';

export type SeccompMode = 'disabled' | 'strict' | 'filter' | 'unknown';
export type NamespaceKind = 'mnt' | 'net' | 'pid' | 'user' | 'ipc' | 'uts' | 'cgroup';
export const NAMESPACE_KINDS: readonly NamespaceKind[] = ['mnt', 'net', 'pid', 'user', 'ipc', 'uts', 'cgroup'];

export type DeviceClass =
  | 'net' | 'vsock' | 'blk' | 'scsi' | 'fs' | 'vfio' | 'rng' | 'console' | 'pmem' | '9p' | 'balloon' | 'vdpa';
export type DeviceBackend = 'vmm' | 'vhost-kernel' | 'vhost-user' | 'passthrough' | 'in-process';

export type ModuleState = 'loaded' | 'builtin' | 'absent';
export type VulnerabilityStatus = 'vulnerable' | 'mitigated' | 'not_affected' | 'unknown';
export type VirtiofsSandboxMode = 'namespace' | 'chroot' | 'none' | 'pending' | 'unknown';

export interface Finding {
  /** Stable rule id from the catalogue (src/assess/catalogue.ts), e.g. "KATA-NET-001". */
  rule: string;
  severity: Severity;
  title: string;
  /** null for host-level findings. */
  sandboxId: string | null;
  /** What was observed, in words an SRE can check on the node. */
  evidence: string;
  remediation: string;
  /** Configuration findings: the sandboxes running with the configuration judged ([] when none runs now). */
  sandboxes?: string[];
  /**
   * The policy entry that accepts this finding (--policy.file), or null when none does. Acknowledged findings
   * stay in every output; only paging and --fail-on skip them.
   */
  acknowledgement?: Acknowledgement | null;
}

export interface Acknowledgement {
  reason: string;
  owner: string;
  /** RFC 3339 time (a date-only entry expires at the end of that day, UTC). */
  expires: string;
}

export interface ScanError {
  /** Pipeline stage: "processes", "process", "kernel-modules", "vfio", "cpu", "kata-config", "pod", "reference", ... */
  stage: string;
  /** Host path (as the host sees it, not the fixture or container path), or null. */
  path: string | null;
  /** Stable code, see ScanErrorCode. */
  code: ScanErrorCode;
  message: string;
}

export type ScanErrorCode =
  | 'E_ACCESS'            // EACCES/EPERM: the agent lacks a capability (CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH)
  | 'E_VANISHED'          // the process exited while it was being read
  | 'E_MISSING'           // a file that should exist does not
  | 'E_MALFORMED'         // a file exists but its content does not parse
  | 'E_TOO_LARGE'         // a file exceeded the read budget and was truncated
  | 'E_INVALID_ID'        // a sandbox id that fails Kata's id rules
  | 'E_UNVERIFIED'        // a process's trust could not be established (a fact was unreadable: see its own error)
  | 'E_LIMIT'             // a bound was hit (look-alikes, sandboxes, fds): the rest was counted, not listed
  | 'E_UNRESOLVED'        // the Kata configuration a runtime handler or shim runs with cannot be determined
  | 'E_IO'                // any other I/O error
  | 'E_INTERNAL';         // a bug: a stage threw; the rest of the scan went on

export interface KernelModule { name: string; state: ModuleState }

export interface VfioDevice {
  address: string;
  iommuGroup: string | null;
  vendorId: string | null;
  deviceId: string | null;
  /** Every device of the group is bound to vfio-pci or to no driver (PCI bridges aside). */
  groupViable: boolean;
  sandboxId: string | null;
  /** The VFIO cdev of the device (`vfio3` for /dev/vfio/devices/vfio3, the IOMMUFD form), or null. */
  cdev?: string | null;
}

/** Trusted execution environments a Kata guest can run in. */
export type TeeKind = 'tdx' | 'sev' | 'sev-snp' | 'se' | 'cca';

/** What the host offers for confidential guests (kvm module parameters, firmware and service files). */
export interface TeeCapability {
  /** /sys/module/kvm_intel/parameters/tdx; null when the parameter does not exist (no kvm_intel, old kernel). */
  tdx: boolean | null;
  /** /sys/module/kvm_amd/parameters/sev, sev_es, sev_snp; null when absent. */
  sev: boolean | null;
  sevEs: boolean | null;
  sevSnp: boolean | null;
  /** IBM Secure Execution: facility 158 in /proc/cpuinfo and prot_virt on the kernel command line; null off s390x. */
  se: boolean | null;
  /** Host paths of the TEE firmware and service files found (OVMF.inteltdx.fd, AMDSEV.fd, /dev/sev, the QGS socket). */
  files: string[];
}

/** One sandbox's confidential guest: what the VMM really runs (argv) or, without it, what its configuration asks. */
export interface ConfidentialGuest {
  /** null: the configuration asks for a confidential guest but nothing running shows which TEE. */
  tee: TeeKind | null;
  source: 'argv' | 'config';
  /** The QEMU object (`-object tdx-guest,id=tdx`) that `-machine confidential-guest-support=` names, or null. */
  objectId: string | null;
  /** Whether -machine confidential-guest-support names the object: QEMU ignores a TEE object nothing names. */
  enabled: boolean;
  /** TD debug / SNP policy DEBUG / SEV policy without NODBG: the host may read guest memory. null: not told. */
  debug: boolean | null;
  /** SEV/SEV-SNP guest policy as written (decimal from the Go runtime, 0x hex from runtime-rs), or null. */
  policy: string | null;
  /** -bios: the TEE firmware (OVMF.inteltdx.fd, AMDSEV.fd), or null. */
  firmware: string | null;
  /** Debug switches on the guest kernel command line (-append): agent.debug_console, agent.log=debug, initcall_debug. */
  kernelDebug: string[];
}

export interface CpuVulnerability { name: string; status: VulnerabilityStatus; detail: string }

export interface HostFacts {
  kernelModules: KernelModule[];
  iommu: {
    enabled: boolean;
    vfioUnsafeInterrupts: boolean;
    vfioNoIommu: boolean;
    /** /sys/module/iommufd/parameters/allow_unsafe_interrupts: the same give-up for devices bound through IOMMUFD. */
    iommufdUnsafeInterrupts?: boolean;
  };
  vfioDevices: VfioDevice[];
  cpuVulnerabilities: CpuVulnerability[];
  /** Kata configuration files found and the settings that matter to exposure. */
  kataConfig: KataConfigSummary[];
  /** Namespaces of the reference process (--host.reference-pid): inode ids, or null when unreadable. */
  referenceNamespaces: Partial<Record<NamespaceKind, string | null>>;
  referencePid: number;
  /** The host's TEE capability (added in schema 1; absent in reports of older agents). */
  tee?: TeeCapability;
}

export interface KataConfigSummary {
  /** Host path of the main file. */
  path: string;
  dropIns: string[];
  /** Hypervisor section in use: qemu, clh, firecracker, dragonball, ... */
  hypervisor: string | null;
  /** Settings that matter to exposure, as read (only keys present in the file or drop-ins). */
  settings: Record<string, unknown>;
  /** Whether a running shim references this file (environ KATA_CONF_FILE) or it is a default path. */
  inUse: boolean;
  /** The file read after every symlink is resolved; its directory's config.d/ gives dropIns. */
  resolvedPath?: string;
  /** Which runtime loads it: from the shim that does, else from where the file lives; null when unknown. */
  runtime?: 'go' | 'rust' | null;
  /** The Kata runtime handlers (containerd/CRI-O) that resolve to this file. */
  handlers?: string[];
  /** The sandboxes that run with this file. */
  sandboxes?: string[];
}

/** The Kata configuration one sandbox runs with, as the container runtime's and Kata's own resolution give it. */
export interface SandboxConfiguration {
  /** The runtime handler (RuntimeClass handler), or null when the node does not tell which. */
  handler: string | null;
  /** The handlers that start this shim binary, when the node names none (containerd records no handler on disk). */
  candidates: string[];
  /**
   * How the handler was told: CRI-O's bundle annotation, the only handler with this shim binary, the only one
   * whose file starts the VMM that runs, or the only one whose kernel_params are on the VMM's command line.
   */
  handlerFrom: 'annotation' | 'runtime-path' | 'vmm' | 'kernel-params' | null;
  /** The resolved file (symlinks followed), or null when it cannot be told (see errors[]). */
  file: string | null;
  /** The path as given (ConfigPath, KATA_CONF_FILE) or found first among the defaults. */
  requested: string | null;
  dropIns: string[];
  /** Where the path came from in Kata's order. */
  source: 'environment' | 'handler-option' | 'default' | null;
}

export interface SandboxProcess {
  pid: number;
  ppid: number;
  role: ProcessRole;
  comm: string;
  exe: string | null;
  uid: number | null;
  seccomp: SeccompMode;
  threads: number;
  threadsWithoutSeccomp: number;
  noNewPrivs: boolean | null;
  capEffective: string | null;
  capEffectiveCount: number | null;
  /** Namespaces the process shares with the reference process; [] when those are unknown (see namespacesKnown). */
  sharedNamespaces: NamespaceKind[];
  namespacesKnown: boolean;
  /** NSpid from status: more than one value means the process is inside a child pid namespace. */
  nspid: number[];
  /** Whether the exe is on the allowed list. */
  exeAllowed: boolean;
  /** First line of `<exe> --version` for VMM and virtiofsd processes, live host only; null otherwise. */
  version?: string | null;
}

export interface Device {
  class: DeviceClass;
  backend: DeviceBackend;
  /** The device's id: argv `id=`, else the netdev of a NIC or the drive of a disk; a device node for fd devices. */
  id: string | null;
  source: 'argv' | 'fd' | 'config' | 'default';
  /** Passed-through devices: the host PCI address (0000:3b:00.0) when argv names it. */
  address?: string;
  /** Passed-through devices: bound through an IOMMUFD cdev (/dev/vfio/devices/vfioN) or a legacy VFIO group. */
  vfio?: 'iommufd' | 'group';
  /** Disks QEMU opens through an `-add-fd` fd set (/dev/fdset/N): the file behind the fd, as /proc/<vmm>/fd shows it. */
  backing?: string;
}

export interface VirtiofsState {
  sandbox: VirtiofsSandboxMode;
  seccomp: SeccompMode;
  cache: string | null;
  dax: boolean;
  /** What the flags asked for, before observation. */
  declaredSandbox: 'namespace' | 'chroot' | 'none' | null;
  declaredSeccomp: 'none' | 'kill' | 'log' | 'trap' | null;
  sharedDir: string | null;
  implementation: 'c' | 'rust' | 'unknown' | 'inline';
  /**
   * Which program fills the file-sharing role (the vhost-user-fs backend): virtiofsd or nydusd. Added to
   * schema 1 later, so absent in older reports (read as virtiofsd). `implementation` stays virtiofsd's C/Rust.
   */
  daemon?: FileSharingDaemon;
}

export type FileSharingDaemon = 'virtiofsd' | 'nydusd';

export interface Sandbox {
  id: string;
  vmm: VmmKind;
  trusted: boolean;
  /**
   * trusted: anchored in a shim the runtime started; untrusted: a look-alike (see trustReasons); unknown: the
   * agent could not read what it needs to decide (an error says which capability is missing).
   */
  trust?: SandboxTrust;
  /** The id the processes claim. For trusted sandboxes it equals id; untrusted and unknown ones get a prefixed id. */
  claimedId?: string;
  /** Why the sandbox is not trusted, one reason code per failed check (src/model/trust-reason.ts). */
  trustReasons: TrustReason[];
  runtime: 'go' | 'rust' | 'unknown';
  /**
   * runtimeClass: the CRI runtime handler from the anchored bundle's annotations (io.kubernetes.cri.runtime-handler),
   * present only when the bundle names one that is a valid handler name.
   */
  pod: { uid: string | null; name: string | null; namespace: string | null; runtimeClass?: string | null };
  processes: SandboxProcess[];
  devices: Device[];
  hotplug: { cpu: boolean; memory: boolean; pci: boolean };
  virtiofs: VirtiofsState | null;
  /** The confidential guest (TDX, SEV, SEV-SNP, Secure Execution), or null for an ordinary VM. */
  confidential?: ConfidentialGuest | null;
  /**
   * Where the guest runs: 'local' (a VMM on this node) or 'remote' (peer pods: only the shim is here). Added
   * to schema 1 later; absent in older reports (read as local).
   */
  placement?: 'local' | 'remote';
  findings: Finding[];
  exposureScore: number;
  /** What makes up exposureScore, one entry per finding that counts (set by the scoring stage). */
  scoreContributions?: ScoreContribution[];
  /** The Kata configuration the sandbox runs with; null for untrusted sandboxes. */
  configuration?: SandboxConfiguration | null;
}

export interface ScoreContribution {
  rule: string;
  severity: Severity;
  weight: number;
  /** Whether the finding is the sandbox's own or a host finding that counts for every sandbox. */
  scope: 'sandbox' | 'host';
}

export interface PolicyEntrySummary {
  /** Position in the file's acknowledgements list, from 0. */
  index: number;
  /** The rule id or glob as written. */
  rule: string;
  owner: string;
  /** RFC 3339, normalised to UTC. */
  expires: string;
  expired: boolean;
  /** Findings of this scan the entry acknowledges (0 when expired). */
  matched: number;
  /** Whether it acknowledged a finding in this scan or any earlier one since the policy was (re)loaded. */
  matchedSinceLoad: boolean;
  /** Whether the entry's node glob (if any) admits this node: entries for other nodes never count as unmatched. */
  appliesToNode: boolean;
}

export interface PolicySummary {
  file: string;
  entries: PolicyEntrySummary[];
}

export interface CollectorResult { name: string; success: boolean; durationSeconds: number }

export interface Report {
  schemaVersion: typeof SCHEMA_VERSION;
  generatedAt: string;
  node: {
    hostname: string | null;
    kernelRelease: string | null;
    os: string | null;
    arch: string | null;
    cpuVirtualization: boolean | null;
    isVirtualMachine: boolean | null;
  };
  host: HostFacts;
  sandboxes: Sandbox[];
  findings: Finding[];
  errors: ScanError[];
  /** Counts beyond what is listed: sandboxes over --max-sandboxes, look-alikes over the cap. */
  limits: { sandboxesOmitted: number; untrustedOmitted: number };
  collectors: CollectorResult[];
  /** The --policy.file in force for this scan and what each entry did; absent when none is set. */
  policy?: PolicySummary;
  scan: {
    durationSeconds: number;
    processesSeen: number;
    candidates: number;
    /** Errors per stage, including those beyond the listed 500 (counted, not listed). */
    errorsByStage: Record<string, number>;
  };
}
