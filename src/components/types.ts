// What a component declares. A component is a program Kata runs on the host for a sandbox (the shim, a VMM, the
// jailer, a file-sharing daemon) or a VMM that lives inside another one (Dragonball in the runtime-rs shim).
// Each declares here, in one file of its own, everything the engine used to look up in switches: how the kernel
// shows it, which executables are legitimate, how it claims a sandbox, and where its devices are found.
// Declarations are pure: the engine (discover/, inspect/) does the reading and hands them what it read.
import type { ConfidentialGuest, Device, ProcessRole, Sandbox, ScanErrorCode, VmmKind } from '../model/report.js';

export type CandidateKind =
  | 'shim' | 'qemu' | 'firecracker' | 'cloud-hypervisor' | 'jailer' | 'virtiofsd' | 'nydusd' | 'openvmm' | 'stratovirt';

/** What the engine knows of one member process when a component is asked about it. */
export interface MemberFacts {
  kind: CandidateKind;
  role: ProcessRole;
  facts: {
    argv: readonly string[];
    exe: string | null;
    fds: ReadonlyMap<number, string>;
    threads: ReadonlyArray<{ comm: string | null }>;
  };
}

export interface ProcessComponent {
  kind: CandidateKind;
  /** The role in the JSON report (schema 1 calls the file-sharing role "virtiofsd", whatever implements it). */
  role: ProcessRole;
  /** The VMM family whose sandbox a process of this kind makes, or null (the shim, a file-sharing daemon). */
  vmm: VmmKind | null;
  /** The cheap filter on comm (cut to 15 bytes by the kernel): which processes deserve a deeper look. */
  recognisesComm(comm: string): boolean;
  /** A second look at argv[0] for kinds whose comm is shared with others (every containerd shim). */
  confirmsArgv0?(argv0: string | undefined): boolean;
  /** Globs of the executables Kata ships or distros install for this kind. */
  executables: readonly string[];
  /** The sandbox id the argv claims: undefined when none, null when the shape has no id. A claim only. */
  claimedId(argv: readonly string[], exe: string | null): string | null | undefined;
  /**
   * Host paths whose file a daemonized process of this kind must execute, or undefined when this process is
   * not of a daemonized shape (and so must descend from its shim to belong to a sandbox).
   */
  daemonizedHostPaths(argv: readonly string[], exe: string | null, claimedId: string): string[] | undefined;
  /** Whether the id it claims may be the sandbox id cut to 32 characters (Firecracker's sun_path limit). */
  claimsTruncatedId: boolean;
  /** Whether its open fds can name devices; false skips the fd walk (virtiofsd's fds name none). */
  fdsNameDevices(threads: ReadonlyArray<{ comm: string | null }>): boolean;
  /** A VMM this process implies when the sandbox has no VMM process (caught before its VMM started). */
  impliedVmm?(argv: readonly string[]): VmmKind | undefined;
}

/** Host files, for the components whose devices are in a file their process names (Firecracker's config). */
export interface HostFiles {
  exists(hostPath: string): boolean;
  readText(hostPath: string, stage: string, maxBytes: number): string | undefined;
  recordError(stage: string, hostPath: string, code: ScanErrorCode, message: string): void;
}

export interface DeviceContext {
  members: readonly MemberFacts[];
  shim: MemberFacts | null;
  /** Paths a process chose are opened only for trusted sandboxes. */
  trusted: boolean;
  /** The vhost-user-fs device, when a file-sharing daemon belongs to the sandbox. */
  sharedFs: Device[];
  files: HostFiles;
}

export interface DeviceView {
  devices: Device[];
  hotplug: Sandbox['hotplug'];
  /** VFIO groups held open by the sandbox's processes: attributes host VFIO devices to it. */
  vfioGroups: string[];
  dax: boolean;
  /** VFIO cdevs (`vfio3`) held open: attributes host VFIO devices bound through IOMMUFD to the sandbox. */
  vfioCdevs?: string[];
  /** The confidential guest the VMM's argv runs, for VMMs whose argv says so. */
  confidential?: ConfidentialGuest | null;
}

export interface VmmComponent {
  vmm: VmmKind;
  /** The table's VMM column. */
  shortName: string;
  /** The product's name, for legends and pages. */
  displayName: string;
  /** For a VMM without a process of its own: whether the members show it. */
  recognises?(members: readonly MemberFacts[]): boolean;
  devices(context: DeviceContext): DeviceView;
}

export const NO_HOTPLUG: Readonly<Sandbox['hotplug']> = Object.freeze({ cpu: false, memory: false, pci: false });
