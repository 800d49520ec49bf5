// A fixture host is described in a readable YAML file and materialised into proc/, sys/ and root/ trees
// shaped exactly like a real host (symlinks for exe, fd/*, ns/*, root, driver, iommu_group). Tests, the
// bundled example node (--example) and the benchmark's synthetic hosts all use this one format.
//
//   hostname: node-a                    # -> proc/sys/kernel/hostname
//   kernelRelease: 6.8.0-45-generic     # -> proc/sys/kernel/osrelease
//   processes:                          # -> proc/<pid>/{stat,status,cmdline,comm,exe,fd/,ns/,cgroup,task/,...}
//     - pid: 4100
//       ppid: 1
//       argv: [/opt/kata/bin/containerd-shim-kata-v2, -namespace, k8s.io, ..., -id, <64 hex>]
//       exe: /opt/kata/bin/containerd-shim-kata-v2
//       capEff: 000001ffffffffff
//       ns: { mnt: 4026532100 }         # others default to the host's namespaces
//       fds: { "3": "socket:[31337]", "4": /dev/vhost-net }
//       threads: [ { tid: 4101, comm: vmm_master, seccomp: 2 } ]
//   files:   { "sys/module/kvm/parameters/nested": "Y\n" }   # raw files, written last (they override)
//   links:   { "sys/bus/pci/devices/0000:3b:00.0/driver": "../../../bus/pci/drivers/vfio-pci" }
//   dirs:    [ "sys/module/vhost_net" ]

import type { NamespaceKind } from '../model/report.js';

export interface FixtureThread {
  tid: number;
  comm?: string;
  seccomp?: 0 | 1 | 2;
  /** Content of task/<tid>/cgroup; defaults to the process's cgroup. */
  cgroup?: string;
  /** Start time of the thread (task/<tid>/stat field 22); defaults to the process's. */
  startTime?: number;
}

export interface FixtureProcess {
  pid: number;
  ppid?: number;
  /** Defaults to the basename of argv[0], cut to 15 characters as the kernel does. */
  comm?: string;
  argv: string[];
  /** Target of the exe link; null leaves the link out (as for a kernel thread). */
  exe?: string | null;
  uid?: number;
  gid?: number;
  state?: string;
  /** Start time in clock ticks after boot (stat field 22). Defaults to pid * 10. */
  startTime?: number;
  seccomp?: 0 | 1 | 2;
  seccompFilters?: number;
  noNewPrivs?: 0 | 1;
  capInh?: string;
  capPrm?: string;
  capEff?: string;
  capBnd?: string;
  capAmb?: string;
  /** NSpid values; defaults to [pid]. Two values mean the process is inside a child pid namespace. */
  nspid?: number[];
  /** Namespace inode numbers; unspecified kinds take the host's. */
  ns?: Partial<Record<NamespaceKind, number>>;
  /** fd number -> link target ("/dev/vhost-net", "socket:[123]", "anon_inode:kvm-vm", "/memfd:ch_ram (deleted)"). */
  fds?: Record<string, string>;
  /** Content of /proc/<pid>/cgroup. */
  cgroup?: string;
  /** Threads besides the leader (the leader's task entry is always generated). */
  threads?: FixtureThread[];
  environ?: Record<string, string>;
  /**
   * Target of the cwd link, created as a directory under root/ (mode 0755). A Kata shim defaults to its
   * containerd bundle, /run/containerd/io.containerd.runtime.v2.task/<-namespace>/<-id>, where containerd
   * starts every v2 shim; other processes get no cwd link unless one is given.
   */
  cwd?: string;
  /**
   * The host file really executed, when it differs from what the exe link reads (a binary run inside its own
   * mount namespace at a path the host knows for something else). Written as proc/<pid>/.exe-file, a name no
   * real procfs has; only the fixture file-identity reader looks at it. Every exe (or exeFile) is created as
   * an empty file under root/ unless the fixture already has one, so that file identities resolve.
   */
  exeFile?: string;
  /** Target of the root link; defaults to "/". */
  root?: string;
  mountinfo?: string;
  /** Raw files under /proc/<pid>/ written after the generated ones, e.g. a truncated "status". */
  files?: Record<string, string>;
  /** Generated files to leave out, e.g. ["ns"] to mimic a process whose ns/ cannot be read. */
  omit?: string[];
}

export interface FixtureHost {
  description?: string;
  hostname?: string;
  kernelRelease?: string;
  hostNamespaces?: Partial<Record<NamespaceKind, number>>;
  processes?: FixtureProcess[];
  files?: Record<string, string>;
  links?: Record<string, string>;
  dirs?: string[];
}

export const DEFAULT_HOST_NAMESPACES: Record<NamespaceKind, number> = {
  cgroup: 4026531835,
  ipc: 4026531839,
  mnt: 4026531841,
  net: 4026531840,
  pid: 4026531836,
  user: 4026531837,
  uts: 4026531838,
};

/** Full capability set on a kernel >= 5.9 (41 capabilities). */
export const FULL_CAPS = '000001ffffffffff';
