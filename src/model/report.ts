// The Report: one plain data model. The JSON report is its serialisation (schema version 1) and every
// output (metrics, table, HTML, textfile) is a pure function of it. Field names and meanings listed in the
// README's "JSON report" section are a contract; new fields may be added, existing ones never change meaning.

export const SCHEMA_VERSION = 1 as const;

export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';
export const SEVERITIES: readonly Severity[] = ['info', 'low', 'medium', 'high', 'critical'];

/** openvmm, stratovirt and remote (peer pods: no local VMM) were added in schema 1 after the first four. */
export type VmmKind = 'qemu' | 'firecracker' | 'cloud-hypervisor' | 'dragonball' | 'openvmm' | 'stratovirt' | 'remote';
export const VMM_KINDS: readonly VmmKind[] = ['qemu', 'firecracker', 'cloud-hypervisor', 'dragonball', 'openvmm', 'stratovirt', 'remote'];

export type ProcessRole = 'shim' | 'vmm' | 'jailer' | 'virtiofsd';
export const PROCESS_ROLES: readonly ProcessRole[] = ['shim', 'vmm', 'jailer', 'virtiofsd'];

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
}

export interface CpuVulnerability { name: string; status: VulnerabilityStatus; detail: string }

export interface HostFacts {
  kernelModules: KernelModule[];
  iommu: { enabled: boolean; vfioUnsafeInterrupts: boolean; vfioNoIommu: boolean };
  vfioDevices: VfioDevice[];
  cpuVulnerabilities: CpuVulnerability[];
  /** Kata configuration files found and the settings that matter to exposure. */
  kataConfig: KataConfigSummary[];
  /** Namespaces of the reference process (--host.reference-pid): inode ids, or null when unreadable. */
  referenceNamespaces: Partial<Record<NamespaceKind, string | null>>;
  referencePid: number;
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

export interface Device { class: DeviceClass; backend: DeviceBackend; id: string | null; source: 'argv' | 'fd' | 'config' | 'default' }

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
  /** Why the sandbox is (not) trusted, one short reason per failed check. */
  trustReasons: string[];
  runtime: 'go' | 'rust' | 'unknown';
  pod: { uid: string | null; name: string | null; namespace: string | null };
  processes: SandboxProcess[];
  devices: Device[];
  hotplug: { cpu: boolean; memory: boolean; pci: boolean };
  virtiofs: VirtiofsState | null;
  /**
   * Where the guest runs: 'local' (a VMM on this node) or 'remote' (peer pods: only the shim is here). Added
   * to schema 1 later; absent in older reports (read as local).
   */
  placement?: 'local' | 'remote';
  findings: Finding[];
  exposureScore: number;
  /** What makes up exposureScore, one entry per finding that counts (set by the scoring stage). */
  scoreContributions?: ScoreContribution[];
}

export interface ScoreContribution {
  rule: string;
  severity: Severity;
  weight: number;
  /** Whether the finding is the sandbox's own or a host finding that counts for every sandbox. */
  scope: 'sandbox' | 'host';
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
  scan: {
    durationSeconds: number;
    processesSeen: number;
    candidates: number;
    /** Errors per stage, including those beyond the listed 500 (counted, not listed). */
    errorsByStage: Record<string, number>;
  };
}
