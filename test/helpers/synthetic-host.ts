// Synthetic fixture hosts for the benchmark and the robustness tests: N Kata sandboxes mixed across QEMU,
// Cloud Hypervisor, Firecracker and Dragonball, among M ordinary processes, in the fixture host format
// (src/fixture-host/description.ts), so the scan reads them exactly as it reads the hand-written fixtures.
//
// The shapes follow /work/shared/reference/kata-on-the-host.md sections 1-7 (argv order, parents, thread
// names, fds, namespaces, cgroups); the ordinary processes are what a Kubernetes node runs (kernel threads,
// systemd services, kubelet, containerd, runc shims with pause and app containers). Everything comes from a
// seeded generator: the same options give byte-identical trees, so two benchmark runs measure the same host.
import type { FixtureHost, FixtureProcess, FixtureThread } from '../../src/fixture-host/description.js';
import { FULL_CAPS } from '../../src/fixture-host/description.js';

export type SyntheticVmm = 'qemu' | 'cloud-hypervisor' | 'firecracker' | 'dragonball';

export interface SyntheticHostOptions {
  /** Kata sandboxes (trusted: real exe paths, shim ancestry or same-id orphans). */
  sandboxes: number;
  /** Other processes: kernel threads and userland, including runc shims. */
  otherProcesses: number;
  /** Untrusted look-alikes: `qemu-system-x86_64 -name sandbox-<hex>` run from a workload's own binary. */
  lookalikes?: number;
  seed?: number;
  /**
   * false: ordinary processes are single-threaded. node_exporter's processes collector reads every thread's
   * stat, the scan only the candidates' threads, so this variant gives the peer its best case.
   */
  ordinaryThreads?: boolean;
  /** VMM of sandbox i; defaults to a fixed mix (50% QEMU, 20% CLH, 20% Firecracker, 10% Dragonball). */
  vmmOf?: (index: number) => SyntheticVmm;
}

/** The default mix, in a fixed order so that every size contains every kind from N = 10 up. */
const MIX: readonly SyntheticVmm[] = [
  'qemu', 'cloud-hypervisor', 'qemu', 'firecracker', 'qemu', 'dragonball', 'qemu', 'cloud-hypervisor', 'qemu', 'firecracker',
];

export function defaultVmmOf(index: number): SyntheticVmm {
  return MIX[index % MIX.length]!;
}

/**
 * A small deterministic generator (xorshift32). Not for anything secret: it only has to give the same
 * sequence for the same seed on every machine, which Math.random cannot.
 */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = (seed >>> 0) || 0x9e3779b9;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state / 0x1_0000_0000;
  }

  int(lowInclusive: number, highInclusive: number): number {
    return lowInclusive + Math.floor(this.next() * (highInclusive - lowInclusive + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  hex(length: number): string {
    let out = '';
    while (out.length < length) out += Math.floor(this.next() * 0x1_0000_0000).toString(16).padStart(8, '0');
    return out.slice(0, length);
  }

  uuid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }

  mac(): string {
    return ['02', ...Array.from({ length: 5 }, () => this.hex(2))].join(':');
  }
}

/** Hands out pids in ascending order with small gaps, as a busy node's pid allocator leaves them. */
class PidAllocator {
  private nextPid: number;

  constructor(first: number, private readonly rng: Rng) {
    this.nextPid = first;
  }

  take(): number {
    const pid = this.nextPid;
    this.nextPid += this.rng.int(1, 3);
    return pid;
  }

  /** Thread ids follow their process, as the kernel allocates them from the same counter. */
  threads(count: number): number[] {
    return Array.from({ length: count }, () => this.take());
  }
}

const CONTAINERD_SOCK = '/run/containerd/containerd.sock';
const TASK_DIR = '/run/containerd/io.containerd.runtime.v2.task/k8s.io';
const GO_SHIM = '/opt/kata/bin/containerd-shim-kata-v2';
const RS_SHIM = '/opt/kata/runtime-rs/bin/containerd-shim-kata-v2';
const QEMU = '/opt/kata/bin/qemu-system-x86_64';
const CLH = '/opt/kata/bin/cloud-hypervisor';
const VIRTIOFSD = '/opt/kata/libexec/virtiofsd';
const KATA_IMAGE = '/opt/kata/share/kata-containers/kata-ubuntu-noble.image';
const KATA_KERNEL = '/opt/kata/share/kata-containers/vmlinux-6.12.47-172';
const HOST_CPUS = 64;
const KERNEL_APPEND = 'tsc=reliable no_timer_check rcupdate.rcu_expedited=1 i8042.direct=1 i8042.dumbkbd=1 i8042.nopnp=1 i8042.noaux=1 noreplace-smp reboot=k cryptomgr.notests net.ifnames=0 pci=lastbus=0 console=hvc0 console=hvc1 root=/dev/pmem0p1 rootflags=dax,data=ordered,errors=remount-ro ro rootfstype=ext4 quiet systemd.show_status=false panic=1 nr_cpus=64 selinux=0 systemd.unit=kata-containers.target systemd.mask=systemd-networkd.service systemd.mask=systemd-networkd.socket scsi_mod.scan=none cgroup_no_v1=all systemd.unified_cgroup_hierarchy=1';
const GO_SHIM_ENV = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  TTRPC_ADDRESS: `${CONTAINERD_SOCK}.ttrpc`,
  GRPC_ADDRESS: CONTAINERD_SOCK,
  NAMESPACE: 'k8s.io',
  GOMAXPROCS: '2',
};
/** The eight capabilities virtiofsd keeps, plus DAC_READ_SEARCH (inode file handles "prefer"). */
const VIRTIOFSD_CHILD_CAPS = '00000000880000df';
/** A container's default capability set (runc, containerd defaults). */
const CONTAINER_CAPS = '00000000a80425fb';

/** Builder state shared by all the pieces of one host. */
class HostBuilder {
  readonly processes: FixtureProcess[] = [];
  readonly files: Record<string, string> = {};
  readonly links: Record<string, string> = {};
  readonly dirs: string[] = [];
  private nsCounter = 4026532100;
  private inodeCounter = 20000;
  /** Start time in clock ticks; grows with every process so (pid, start time) stays unique. */
  private ticks = 500;

  constructor(readonly rng: Rng, readonly pids: PidAllocator, private readonly ordinaryThreads: boolean) {}

  /** Extra threads of an ordinary (non-Kata) process; the random draw happens either way. */
  ordinaryThreadIds(range: readonly [number, number]): FixtureThread[] {
    const count = this.rng.int(range[0], range[1]);
    return this.ordinaryThreads ? this.pids.threads(count).map((tid) => ({ tid })) : [];
  }

  newNamespace(): number {
    return this.nsCounter++;
  }

  socket(): string {
    this.inodeCounter += this.rng.int(1, 40);
    return `socket:[${this.inodeCounter}]`;
  }

  pipe(): string {
    this.inodeCounter += this.rng.int(1, 40);
    return `pipe:[${this.inodeCounter}]`;
  }

  startTime(): number {
    this.ticks += this.rng.int(1, 50);
    return this.ticks;
  }

  add(process: FixtureProcess): FixtureProcess {
    // node_exporter's processes collector reads task/<tid>/stat of every thread; the materialiser writes
    // comm, status and cgroup only, so the stat files are added here to keep the peer's work honest.
    const tids = [process.pid, ...(process.threads ?? []).map((t) => t.tid)];
    const comms = new Map<number, string>([[process.pid, commOf(process)], ...(process.threads ?? []).map((t): [number, string] => [t.tid, t.comm ?? commOf(process)])]);
    const files: Record<string, string> = {};
    for (const tid of tids) files[`task/${tid}/stat`] = threadStat(tid, comms.get(tid)!, process, tids.length);
    process.files = { ...files, ...process.files };
    this.processes.push(process);
    return process;
  }
}

function commOf(process: FixtureProcess): string {
  return (process.comm ?? baseName(process.argv[0] ?? 'unknown')).slice(0, 15);
}

function baseName(file: string): string {
  return file.slice(file.lastIndexOf('/') + 1);
}

/** The stat line of one thread (same 52-field shape the materialiser writes for the process). */
function threadStat(tid: number, comm: string, p: FixtureProcess, threads: number): string {
  const fields = [
    String(tid), `(${comm})`, p.state ?? 'S', String(p.ppid ?? 1), String(p.pid), String(p.pid), '0', '-1', '4194624',
    '120', '0', '0', '0', '3', '1', '0', '0', '20', '0', String(threads), '0', String(p.startTime ?? p.pid * 10),
    '2147483648', '51200', '18446744073709551615', '1', '1', '0', '0', '0', '0', '0', '4096', '0', '0', '0', '0',
    '-1', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0',
  ];
  return `${fields.join(' ')}\n`;
}

function fdMap(entries: readonly string[], from = 0): Record<string, string> {
  const out: Record<string, string> = {};
  entries.forEach((target, i) => {
    out[String(from + i)] = target;
  });
  return out;
}

// ------------------------------------------------------------------------------------------------ the node

const KERNEL_THREAD_NAMES = [
  'kworker/%c:%n', 'kworker/%c:%nH', 'kworker/u%u:%n', 'ksoftirqd/%c', 'migration/%c', 'cpuhp/%c', 'rcuop/%c',
  'rcuos/%c', 'idle_inject/%c', 'kworker/R-kblockd', 'jbd2/nvme0n1p%n-8', 'xfs-conv/dm-%n', 'scsi_eh_%n', 'irq/%n-nvme0q%c',
];

function kernelThreadName(rng: Rng): string {
  return rng.pick(KERNEL_THREAD_NAMES)
    .replace('%c', String(rng.int(0, HOST_CPUS - 1)))
    .replace('%u', String(HOST_CPUS * 2 + 1))
    .replace('%n', String(rng.int(0, 9)));
}

interface Service {
  argv: string[];
  comm?: string;
  threads: [number, number];
  uid?: number;
  cgroup: string;
}

/** Long-running node services, each present once. */
const NODE_SERVICES: readonly Service[] = [
  { argv: ['/usr/lib/systemd/systemd-journald'], threads: [0, 0], cgroup: '0::/system.slice/systemd-journald.service' },
  { argv: ['/usr/lib/systemd/systemd-udevd'], threads: [0, 0], cgroup: '0::/system.slice/systemd-udevd.service' },
  { argv: ['/usr/lib/systemd/systemd-networkd'], threads: [0, 0], uid: 998, cgroup: '0::/system.slice/systemd-networkd.service' },
  { argv: ['/usr/lib/systemd/systemd-resolved'], threads: [0, 0], uid: 997, cgroup: '0::/system.slice/systemd-resolved.service' },
  { argv: ['/usr/lib/systemd/systemd-logind'], threads: [0, 0], cgroup: '0::/system.slice/systemd-logind.service' },
  { argv: ['/usr/bin/dbus-daemon', '--system', '--address=systemd:', '--nofork', '--nopidfile', '--systemd-activation', '--syslog-only'], comm: 'dbus-daemon', threads: [0, 0], uid: 101, cgroup: '0::/system.slice/dbus.service' },
  { argv: ['/usr/sbin/chronyd', '-F', '1'], threads: [0, 0], uid: 104, cgroup: '0::/system.slice/chrony.service' },
  { argv: ['sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups'], comm: 'sshd', threads: [0, 0], cgroup: '0::/system.slice/ssh.service' },
  { argv: ['/usr/sbin/rsyslogd', '-n', '-iNONE'], threads: [2, 3], uid: 102, cgroup: '0::/system.slice/rsyslog.service' },
  { argv: ['/usr/sbin/cron', '-f', '-P'], threads: [0, 0], cgroup: '0::/system.slice/cron.service' },
  { argv: ['/usr/bin/containerd'], threads: [20, 40], cgroup: '0::/system.slice/containerd.service' },
  {
    argv: ['/usr/bin/kubelet', '--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf', '--kubeconfig=/etc/kubernetes/kubelet.conf', '--config=/var/lib/kubelet/config.yaml', `--container-runtime-endpoint=unix://${CONTAINERD_SOCK}`, '--node-ip=10.20.1.11'],
    threads: [30, 60],
    cgroup: '0::/system.slice/kubelet.service',
  },
  { argv: ['/usr/bin/prometheus-node-exporter', '--path.procfs=/host/proc', '--path.sysfs=/host/sys', '--path.rootfs=/host/root'], comm: 'node_exporter', threads: [6, 10], uid: 65534, cgroup: '0::/system.slice/node-exporter.service' },
];

interface Workload {
  argv: (rng: Rng) => string[];
  comm?: string;
  exe: string;
  threads: [number, number];
  uid: number;
  children?: [number, number];
}

/** What runs inside runc containers on a busy node: one of these per container. */
const WORKLOADS: readonly Workload[] = [
  { argv: () => ['nginx: master process nginx -g daemon off;'], comm: 'nginx', exe: '/usr/sbin/nginx', threads: [0, 0], uid: 0, children: [1, 4] },
  { argv: (r) => ['/usr/bin/java', '-XX:+UseG1GC', `-Xmx${r.pick([512, 1024, 2048])}m`, '-Djava.security.egd=file:/dev/./urandom', '-jar', `/app/service-${r.hex(6)}.jar`, '--spring.profiles.active=prod'], exe: '/usr/lib/jvm/java-21-openjdk-amd64/bin/java', threads: [20, 60], uid: 1000 },
  { argv: (r) => ['python3', '-m', 'gunicorn', '--workers', String(r.int(2, 4)), '--bind', '0.0.0.0:8000', 'app.wsgi:application'], comm: 'python3', exe: '/usr/local/bin/python3.12', threads: [0, 2], uid: 1000, children: [2, 4] },
  { argv: (r) => ['node', '/app/dist/server.js', `--port=${r.int(3000, 3999)}`], exe: '/usr/local/bin/node', threads: [6, 11], uid: 1000 },
  { argv: () => ['postgres', '-c', 'config_file=/etc/postgresql/postgresql.conf'], exe: '/usr/lib/postgresql/16/bin/postgres', threads: [0, 0], uid: 999, children: [4, 8] },
  { argv: () => ['redis-server *:6379'], comm: 'redis-server', exe: '/usr/local/bin/redis-server', threads: [3, 5], uid: 999 },
  { argv: () => ['/usr/local/bin/envoy', '-c', '/etc/envoy/envoy.yaml', '--service-cluster', 'mesh', '--drain-time-s', '45'], exe: '/usr/local/bin/envoy', threads: [12, 20], uid: 1337 },
  { argv: () => ['/coredns', '-conf', '/etc/coredns/Corefile'], exe: '/coredns', threads: [8, 14], uid: 65532 },
  { argv: (r) => ['/usr/local/bin/kube-proxy', '--config=/var/lib/kube-proxy/config.conf', `--hostname-override=node-${r.hex(4)}`], exe: '/usr/local/bin/kube-proxy', threads: [6, 12], uid: 0 },
  { argv: () => ['/bin/sh', '-c', 'while true; do sleep 30; done'], comm: 'sh', exe: '/bin/busybox', threads: [0, 0], uid: 0, children: [1, 1] },
  { argv: () => ['/usr/bin/fluent-bit', '-c', '/fluent-bit/etc/fluent-bit.conf'], exe: '/usr/bin/fluent-bit', threads: [4, 8], uid: 0 },
  { argv: (r) => ['/app/worker', '--queue', `jobs-${r.hex(4)}`, '--concurrency', String(r.int(2, 16))], exe: '/app/worker', threads: [4, 16], uid: 10001 },
];

/** Children a workload's main process forks (workers, backends, a sleep loop's sleep). */
function childArgv(parent: Workload, rng: Rng): { argv: string[]; comm?: string; exe: string } {
  if (parent.comm === 'nginx') return { argv: ['nginx: worker process'], comm: 'nginx', exe: parent.exe };
  if (parent.comm === 'python3') return { argv: ['python3', '-m', 'gunicorn', '--workers', '4', '--bind', '0.0.0.0:8000', 'app.wsgi:application'], comm: 'python3', exe: parent.exe };
  if (parent.comm === 'sh') return { argv: ['sleep', '30'], exe: '/bin/busybox', comm: 'sleep' };
  return { argv: [`postgres: ${rng.pick(['checkpointer', 'background writer', 'walwriter', 'autovacuum launcher', 'logical replication launcher', 'app app 10.0.3.7(51234) idle'])}`], comm: 'postgres', exe: parent.exe };
}

function addNode(b: HostBuilder, count: number): void {
  const { rng, pids } = b;
  let left = count;
  const take = (): boolean => left-- > 0;

  if (take()) b.add({ pid: 1, ppid: 0, argv: ['/sbin/init'], comm: 'systemd', exe: '/usr/lib/systemd/systemd', startTime: 1, cgroup: '0::/init.scope', fds: fdMap(['/dev/null', '/dev/null', '/dev/null', '/dev/kmsg', 'anon_inode:[eventpoll]', 'anon_inode:[signalfd]', 'anon_inode:inotify', '/sys/fs/cgroup', b.socket()]) });
  if (take()) b.add({ pid: 2, ppid: 0, argv: [], comm: 'kthreadd', exe: null, startTime: 1 });

  // Kernel threads: about a fifth of a real node's process list, with low pids.
  const kernelThreads = Math.min(left, Math.round(count * 0.2));
  for (let i = 0; i < kernelThreads && take(); i++) {
    b.add({ pid: pids.take(), ppid: 2, argv: [], comm: kernelThreadName(rng), exe: null, startTime: b.startTime(), capEff: FULL_CAPS });
  }

  for (const service of NODE_SERVICES) {
    if (!take()) break;
    const pid = pids.take();
    b.add({
      pid,
      argv: service.argv,
      comm: service.comm,
      exe: service.argv[0]!.startsWith('/') ? service.argv[0] : `/usr/sbin/${service.comm ?? 'unknown'}`,
      uid: service.uid,
      gid: service.uid,
      startTime: b.startTime(),
      cgroup: service.cgroup,
      environ: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', INVOCATION_ID: rng.hex(32) },
      fds: fdMap(['/dev/null', b.socket(), b.socket(), ...Array.from({ length: rng.int(1, 6) }, () => rng.pick([b.socket(), 'anon_inode:[eventpoll]', b.pipe(), 'anon_inode:[timerfd]']))]),
      threads: b.ordinaryThreadIds(service.threads),
    });
  }

  // The rest: runc pods (containerd-shim-runc-v2, pause, one or two app containers with their children),
  // plus a few interactive sessions. The runc shims share comm "containerd-shim" with the Kata shim, so the
  // cheap filter lets them through and the scan must reject them from argv: that cost is part of the bench.
  while (left > 0) {
    if (rng.next() < 0.04 && left >= 2) {
      addSession(b, () => take());
      continue;
    }
    addRuncPod(b, () => take());
  }
}

function addSession(b: HostBuilder, take: () => boolean): void {
  const { rng, pids } = b;
  if (!take()) return;
  const sshd = pids.take();
  b.add({ pid: sshd, argv: ['sshd: admin [priv]'], comm: 'sshd', exe: '/usr/sbin/sshd', startTime: b.startTime(), cgroup: `0::/user.slice/user-1000.slice/session-${rng.int(1, 400)}.scope`, fds: fdMap(['/dev/null', '/dev/null', '/dev/null', b.socket(), b.socket(), b.pipe()]) });
  if (!take()) return;
  const bash = pids.take();
  b.add({ pid: bash, ppid: sshd, argv: ['-bash'], comm: 'bash', exe: '/usr/bin/bash', uid: 1000, gid: 1000, capEff: '0000000000000000', startTime: b.startTime(), cgroup: `0::/user.slice/user-1000.slice/session-${rng.int(1, 400)}.scope`, environ: { HOME: '/home/admin', USER: 'admin', SHELL: '/bin/bash', TERM: 'xterm-256color' }, fds: fdMap(['/dev/pts/0', '/dev/pts/0', '/dev/pts/0', '/dev/tty']) });
  if (rng.next() < 0.5 && take()) {
    const argv = rng.pick([['top'], ['journalctl', '-f', '-u', 'kubelet'], ['less', '/var/log/syslog'], ['vim', '/etc/containerd/config.toml']]);
    b.add({ pid: pids.take(), ppid: bash, argv, exe: `/usr/bin/${argv[0]!}`, uid: 1000, gid: 1000, capEff: '0000000000000000', startTime: b.startTime(), fds: fdMap(['/dev/pts/0', '/dev/pts/0', '/dev/pts/0']) });
  }
}

function addRuncPod(b: HostBuilder, take: () => boolean): void {
  const { rng, pids } = b;
  const podId = rng.hex(64);
  const podUid = rng.uuid();
  const qos = rng.pick(['burstable', 'besteffort']);
  const podSlice = `/kubepods.slice/kubepods-${qos}.slice/kubepods-${qos}-pod${podUid.replaceAll('-', '_')}.slice`;
  if (!take()) return;
  const shim = pids.take();
  b.add({
    pid: shim,
    argv: ['/usr/bin/containerd-shim-runc-v2', '-namespace', 'k8s.io', '-id', podId, '-address', CONTAINERD_SOCK],
    comm: 'containerd-shim',
    exe: '/usr/bin/containerd-shim-runc-v2',
    startTime: b.startTime(),
    cgroup: '0::/system.slice/containerd.service',
    environ: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', TTRPC_ADDRESS: `${CONTAINERD_SOCK}.ttrpc`, GRPC_ADDRESS: CONTAINERD_SOCK, NAMESPACE: 'k8s.io' },
    fds: fdMap(['/dev/null', '/dev/null', '/dev/null', b.socket(), 'anon_inode:[eventpoll]', b.pipe(), b.pipe(), `${TASK_DIR}/${podId}/log`]),
    threads: b.ordinaryThreadIds([8, 12]),
  });
  const podNs = { uts: b.newNamespace(), ipc: b.newNamespace(), net: b.newNamespace() };
  if (!take()) return;
  const pausePid = pids.take();
  b.add({
    pid: pausePid, ppid: shim, argv: ['/pause'], exe: '/pause', uid: 65535, gid: 65535, capEff: '0000000000000000', capBnd: CONTAINER_CAPS, seccomp: 2,
    nspid: [pausePid, 1], ns: { ...podNs, mnt: b.newNamespace(), pid: b.newNamespace(), cgroup: b.newNamespace() }, startTime: b.startTime(),
    cgroup: `0::${podSlice}/cri-containerd-${podId}.scope`, fds: fdMap(['/dev/null', b.pipe(), b.pipe()]),
  });
  const containers = rng.int(1, 2);
  for (let c = 0; c < containers; c++) {
    if (!take()) return;
    const workload = rng.pick(WORKLOADS);
    const main = pids.take();
    const ns = { ...podNs, mnt: b.newNamespace(), pid: b.newNamespace(), cgroup: b.newNamespace() };
    const cgroup = `0::${podSlice}/cri-containerd-${rng.hex(64)}.scope`;
    const threads = b.ordinaryThreadIds(workload.threads).map((t): FixtureThread => ({ ...t, seccomp: 2 }));
    b.add({
      pid: main, ppid: shim, argv: workload.argv(rng), comm: workload.comm, exe: workload.exe, uid: workload.uid, gid: workload.uid,
      capEff: workload.uid === 0 ? CONTAINER_CAPS : '0000000000000000', capBnd: CONTAINER_CAPS, seccomp: 2, nspid: [main, 1], ns, startTime: b.startTime(), cgroup,
      environ: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOSTNAME: `pod-${rng.hex(5)}`, KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' },
      fds: fdMap(['/dev/null', b.pipe(), b.pipe(), ...Array.from({ length: rng.int(1, 8) }, () => rng.pick([b.socket(), 'anon_inode:[eventpoll]', '/app/data/store.db', 'anon_inode:[eventfd]']))]),
      threads,
    });
    const [low, high] = workload.children ?? [0, 0];
    const children = rng.int(low, high);
    for (let k = 0; k < children; k++) {
      if (!take()) return;
      const child = childArgv(workload, rng);
      const pid = pids.take();
      b.add({
        pid, ppid: main, argv: child.argv, comm: child.comm, exe: child.exe, uid: workload.uid === 0 ? 101 : workload.uid, gid: workload.uid === 0 ? 101 : workload.uid,
        capEff: '0000000000000000', capBnd: CONTAINER_CAPS, seccomp: 2, nspid: [pid, k + 7], ns, startTime: b.startTime(), cgroup,
        fds: fdMap(['/dev/null', b.pipe(), b.pipe(), b.socket()]),
      });
    }
  }
}

// ------------------------------------------------------------------------------------------------ sandboxes

interface SandboxContext {
  sid: string;
  podUid: string;
  podName: string;
  podNamespace: string;
  /** true: the Go runtime's default (overhead cgroup, vCPU threads in the pod cgroup); false: sandbox_cgroup_only. */
  overheadCgroup: boolean;
  podCgroup: string;
  processCgroup: string;
  shimMnt: number;
  podNet: number;
}

function sandboxContext(b: HostBuilder, index: number): SandboxContext {
  const { rng } = b;
  const sid = rng.hex(64);
  const podUid = rng.uuid();
  // Half the nodes run the systemd cgroup driver with sandbox_cgroup_only=true, half cgroupfs with the Go default.
  const overheadCgroup = index % 2 === 1;
  const qos = rng.pick(['burstable', 'besteffort']);
  const podCgroup = overheadCgroup
    ? `0::/kubepods/${qos}/pod${podUid}/kata_${sid}`
    : `0::/kubepods.slice/kubepods-${qos}.slice/kubepods-${qos}-pod${podUid.replaceAll('-', '_')}.slice/cri-containerd-${sid}.scope`;
  return {
    sid,
    podUid,
    podName: `${rng.pick(['checkout', 'payments', 'search', 'ledger', 'build-runner', 'sandboxed-ci', 'untrusted-fn'])}-${rng.hex(9)}-${rng.hex(5)}`,
    podNamespace: rng.pick(['shop', 'payments', 'ci', 'faas', 'default']),
    overheadCgroup,
    podCgroup,
    processCgroup: overheadCgroup ? `0::/kata_overhead/${sid}` : podCgroup,
    shimMnt: b.newNamespace(),
    podNet: b.newNamespace(),
  };
}

function addBundle(b: HostBuilder, ctx: SandboxContext, shimPid: number): void {
  const bundle = `${TASK_DIR}/${ctx.sid}`;
  b.files[`root${bundle}/config.json`] = `${JSON.stringify({
    ociVersion: '1.1.0',
    process: { args: ['/pause'], cwd: '/' },
    root: { path: 'rootfs', readonly: true },
    annotations: {
      'io.kubernetes.cri.container-type': 'sandbox',
      'io.kubernetes.cri.sandbox-id': ctx.sid,
      'io.kubernetes.cri.sandbox-name': ctx.podName,
      'io.kubernetes.cri.sandbox-namespace': ctx.podNamespace,
      'io.kubernetes.cri.sandbox-uid': ctx.podUid,
      'io.katacontainers.config.hypervisor.default_vcpus': '1',
    },
  })}\n`;
  b.files[`root${bundle}/address`] = `unix:///run/containerd/s/${b.rng.hex(64)}\n`;
  b.files[`root${bundle}/shim.pid`] = `${shimPid}\n`;
  b.links[`proc/${shimPid}/cwd`] = bundle;
}

function addGoShim(b: HostBuilder, ctx: SandboxContext): number {
  const { rng, pids } = b;
  const pid = pids.take();
  b.add({
    pid,
    argv: [GO_SHIM, '-namespace', 'k8s.io', '-address', CONTAINERD_SOCK, '-publish-binary', '/usr/bin/containerd', '-id', ctx.sid],
    comm: 'containerd-shim',
    exe: GO_SHIM,
    startTime: b.startTime(),
    environ: GO_SHIM_ENV,
    ns: { mnt: ctx.shimMnt },
    cgroup: ctx.processCgroup,
    fds: fdMap(['/dev/null', '/dev/null', '/dev/null', b.socket(), 'anon_inode:[eventpoll]', 'anon_inode:[eventfd]', `${TASK_DIR}/${ctx.sid}/log`, b.socket(), b.socket(), b.socket(), b.socket()]),
    threads: pids.threads(6 + rng.int(0, 2)).map((tid) => ({ tid })),
  });
  addBundle(b, ctx, pid);
  return pid;
}

/** The Rust virtiofsd pair of Kata >= 3.2 (Go runtime): the waiting parent and the sandboxed worker. */
function addVirtiofsdPair(b: HostBuilder, ctx: SandboxContext, shimPid: number, memory: string): void {
  const { rng, pids } = b;
  const argv = [VIRTIOFSD, '--syslog', '--cache=auto', `--shared-dir=/run/kata-containers/shared/sandboxes/${ctx.sid}/shared`, '--fd=3', '--thread-pool-size=1', '--announce-submounts'];
  const mnt = b.newNamespace();
  const net = b.newNamespace();
  const parent = pids.take();
  b.add({
    pid: parent, ppid: shimPid, argv, exe: VIRTIOFSD, capEff: '0000000000000000', capPrm: '0000000000000000', capBnd: '0000000000000000',
    ns: { mnt, net }, startTime: b.startTime(), cgroup: ctx.processCgroup,
    // fd 3 (the listening socket) was handed to the worker; the waiter keeps a pidfd on it.
    fds: { ...fdMap(['/dev/null', '/dev/null', '/dev/null']), '4': 'anon_inode:[pidfd]' },
  });
  const child = pids.take();
  b.add({
    pid: child, ppid: parent, argv, exe: VIRTIOFSD, capEff: VIRTIOFSD_CHILD_CAPS, capBnd: '0000000000000000', noNewPrivs: 1, seccomp: 2, seccompFilters: 1,
    nspid: [child, 1], ns: { mnt, net, pid: b.newNamespace() }, startTime: b.startTime(), cgroup: ctx.processCgroup,
    mountinfo: `${rng.int(1800, 1999)} ${rng.int(1800, 1999)} 0:26 /kata-containers/shared/sandboxes/${ctx.sid}/shared / rw,nosuid,nodev,relatime master:5 - tmpfs tmpfs rw,size=52754432k,mode=755,inode64`,
    fds: { ...fdMap(['/dev/null', '/dev/null', '/dev/null', b.socket()]), '5': b.socket(), '6': 'anon_inode:[eventpoll]', '7': 'anon_inode:[eventfd]', '8': 'anon_inode:[eventfd]', '11': memory, '12': KATA_IMAGE },
    threads: pids.threads(2).map((tid) => ({ tid, seccomp: 2 })),
  });
  b.dirs.push(`root/run/kata-containers/shared/sandboxes/${ctx.sid}/shared`);
}

function vcpuThreads(b: HostBuilder, ctx: SandboxContext, count: number, comm?: (i: number) => string, seccomp?: 0 | 2): FixtureThread[] {
  return b.pids.threads(count).map((tid, i) => ({
    tid,
    comm: comm?.(i),
    seccomp,
    // Go default: only vCPU threads are moved into the pod's sandbox cgroup (constrainHypervisor).
    cgroup: ctx.overheadCgroup ? ctx.podCgroup : undefined,
  }));
}

function addQemuSandbox(b: HostBuilder, index: number): void {
  const { rng, pids } = b;
  const ctx = sandboxContext(b, index);
  const shim = addGoShim(b, ctx);
  const memHandle = `/dev/shm/qemu_back_mem.dimm1.${rng.hex(6)} (deleted)`;
  addVirtiofsdPair(b, ctx, shim, memHandle);
  const vcpus = rng.pick([1, 1, 2]);
  const cid = rng.int(3, 0x7fffffff);
  const charId = rng.hex(16);
  const vm = `/run/vc/vm/${ctx.sid}`;
  const argv = [
    QEMU, '-name', `sandbox-${ctx.sid}`, '-uuid', rng.uuid(), '-machine', 'q35,accel=kvm,nvdimm=on', '-cpu', 'host,pmu=off',
    '-qmp', 'unix:fd=3,server=on,wait=off', '-m', '2048M,slots=10,maxmem=258634M',
    '-device', 'pci-bridge,bus=pcie.0,id=pci-bridge-0,chassis_nr=1,shpc=off,addr=2,io-reserve=4k,mem-reserve=1m,pref64-reserve=1m',
    '-device', 'virtio-serial-pci,disable-modern=false,id=serial0', '-device', 'virtconsole,chardev=charconsole0,id=console0',
    '-chardev', `socket,id=charconsole0,path=${vm}/console.sock,server=on,wait=off`,
    '-device', 'nvdimm,id=nv0,memdev=mem0,unarmed=on', '-object', `memory-backend-file,id=mem0,mem-path=${KATA_IMAGE},size=268435456,readonly=on`,
    '-device', 'virtio-scsi-pci,id=scsi0,disable-modern=false', '-object', 'rng-random,id=rng0,filename=/dev/urandom', '-device', 'virtio-rng-pci,rng=rng0',
    '-device', `vhost-vsock-pci,disable-modern=false,vhostfd=4,id=vsock-${cid},guest-cid=${cid},bus=pcie.0`,
    '-chardev', `socket,id=char-${charId},path=${vm}/vhost-fs.sock`, '-device', `vhost-user-fs-pci,chardev=char-${charId},tag=kataShared,queue-size=1024,bus=pcie.0`,
    '-netdev', 'tap,id=network-0,vhost=on,vhostfds=5,fds=6',
    '-device', `driver=virtio-net-pci,netdev=network-0,mac=${rng.mac()},bus=pcie.0,disable-modern=false,mq=on,vectors=4`,
    '-rtc', 'base=utc,driftfix=slew,clock=host', '-global', 'kvm-pit.lost_tick_policy=discard', '-vga', 'none', '-no-user-config', '-nodefaults', '-nographic', '--no-reboot',
    '-object', 'memory-backend-file,id=dimm1,size=2048M,mem-path=/dev/shm,share=on', '-numa', 'node,memdev=dimm1',
    '-kernel', KATA_KERNEL, '-append', KERNEL_APPEND, '-pidfile', `${vm}/pid`, '-smp', `${vcpus},cores=1,threads=1,sockets=${HOST_CPUS},maxcpus=${HOST_CPUS}`,
  ];
  const pid = pids.take();
  const vcpuFds = Array.from({ length: vcpus }, (_, i) => `anon_inode:kvm-vcpu:${i}`);
  b.add({
    pid, ppid: shim, argv, comm: 'qemu-system-x86', exe: QEMU, startTime: b.startTime(), ns: { mnt: ctx.shimMnt, net: ctx.podNet }, cgroup: ctx.processCgroup,
    fds: {
      ...fdMap(['/dev/null', '/dev/null', b.pipe(), b.socket(), '/dev/vhost-vsock', '/dev/vhost-net', '/dev/net/tun', 'anon_inode:[eventfd]', 'anon_inode:[signalfd]', 'anon_inode:[eventpoll]',
        '/dev/kvm', 'anon_inode:kvm-vm', KATA_IMAGE, memHandle, '/dev/urandom', b.socket(), b.socket(), ...vcpuFds]),
      ...fdMap(Array.from({ length: 6 }, () => 'anon_inode:[eventfd]'), 17 + vcpus),
      '24': b.socket(),
    },
    // Main loop, RCU, worker, the vCPUs (unnamed without debug-threads=on) and vhost workers (vhost_tasks in
    // QEMU's thread group since Linux 6.4).
    threads: [...pids.threads(2).map((tid) => ({ tid })), ...vcpuThreads(b, ctx, vcpus), ...pids.threads(2).map((tid) => ({ tid, comm: `vhost-${pid}` }))],
  });
  b.dirs.push(`root${vm}`, `root/run/vc/sbs/${ctx.sid}`);
}

function addCloudHypervisorSandbox(b: HostBuilder, index: number): void {
  const { rng, pids } = b;
  const ctx = sandboxContext(b, index);
  const shim = addGoShim(b, ctx);
  addVirtiofsdPair(b, ctx, shim, '/memfd:ch_ram (deleted)');
  const vcpus = rng.pick([1, 2]);
  const vm = `/run/vc/vm/${ctx.sid}`;
  const pid = pids.take();
  b.add({
    pid, ppid: shim, argv: [CLH, '--api-socket', `${vm}/clh-api.sock`], comm: 'cloud-hyperviso', exe: CLH, startTime: b.startTime(),
    ns: { mnt: ctx.shimMnt, net: ctx.podNet }, cgroup: ctx.processCgroup, seccomp: 2,
    fds: fdMap(['/dev/null', '/dev/null', b.pipe(), b.socket(), 'anon_inode:[eventpoll]', '/dev/kvm', 'anon_inode:kvm-vm', '/memfd:ch_ram (deleted)', '/dev/net/tun', '/dev/net/tun',
      b.socket(), b.socket(), ...Array.from({ length: vcpus }, (_, i) => `anon_inode:kvm-vcpu:${i}`), 'anon_inode:[eventfd]', 'anon_inode:[eventfd]', '/dev/urandom']),
    threads: [
      ...pids.threads(1).map((tid) => ({ tid, comm: 'vmm', seccomp: 2 as const })),
      ...pids.threads(1).map((tid) => ({ tid, comm: 'http-server', seccomp: 2 as const })),
      ...vcpuThreads(b, ctx, vcpus, (i) => `vcpu${i}`, 2),
      ...pids.threads(1).map((tid) => ({ tid, comm: 'virtio-net', seccomp: 2 as const })),
    ],
  });
  b.dirs.push(`root${vm}`, `root/run/vc/sbs/${ctx.sid}`);
}

function addFirecrackerSandbox(b: HostBuilder, index: number): void {
  const { rng, pids } = b;
  const ctx = sandboxContext(b, index);
  const shim = addGoShim(b, ctx);
  const id32 = ctx.sid.slice(0, 32);
  const jail = `/run/vc/firecracker/${id32}/root`;
  const pid = pids.take();
  const startUs = 1_700_000_000_000_000 + rng.int(0, 1_000_000_000);
  // Newer jailers fork with --daemonize, so Firecracker is orphaned to init; older ones exec'd in place and
  // stayed a child of the shim. Both shapes occur in the field: alternate them.
  const orphaned = index % 4 !== 3;
  b.add({
    pid, ppid: orphaned ? 1 : shim,
    argv: ['/firecracker', '--id', id32, '--start-time-us', String(startUs), '--start-time-cpu-us', String(rng.int(1000, 9000)), '--parent-cpu-time-us', String(rng.int(1000, 9000)), '--config-file', '/fcConfig.json'],
    comm: 'firecracker', exe: `${jail}/firecracker`, root: jail, startTime: b.startTime(), seccomp: 2,
    ns: { mnt: b.newNamespace(), net: ctx.podNet }, cgroup: ctx.processCgroup,
    fds: fdMap(['/dev/null', '/dev/null', '/dev/null', `${jail}/logs.fifo`, `${jail}/metrics.fifo`, 'anon_inode:[eventfd]', 'anon_inode:[eventpoll]', '/dev/kvm', 'anon_inode:kvm-vm',
      '/dev/net/tun', b.socket(), b.socket(), 'anon_inode:kvm-vcpu:0', 'anon_inode:[eventfd]', 'anon_inode:[timerfd]']),
    threads: [...pids.threads(1).map((tid) => ({ tid, comm: 'fc_api', seccomp: 2 as const })), ...vcpuThreads(b, ctx, 1, () => 'fc_vcpu 0', 2)],
  });
  b.files[`root${jail}/fcConfig.json`] = `${JSON.stringify({
    'boot-source': { kernel_image_path: 'vmlinux', boot_args: 'console=hvc0 pci=off iommu=off 8250.nr_uarts=0 agent.log_vport=1025' },
    drives: [{ drive_id: 'rootfs', path_on_host: 'rootfs', is_root_device: false, is_read_only: true },
      ...Array.from({ length: 8 }, (_, i) => ({ drive_id: `drive_${i}`, path_on_host: `drive_${i}`, is_root_device: false, is_read_only: false }))],
    'network-interfaces': [{ iface_id: 'eth0', host_dev_name: 'tap0_kata', guest_mac: rng.mac() }],
    vsock: { guest_cid: 3, uds_path: '/kata.hvsock', vsock_id: 'root' },
    'machine-config': { vcpu_count: 1, mem_size_mib: 2048 },
    logger: { log_path: '/logs.fifo', level: 'Error' },
    metrics: { metrics_path: '/metrics.fifo' },
  })}\n`;
  b.files[`root${jail}/firecracker.pid`] = `${pid}\n`;
}

function addDragonballSandbox(b: HostBuilder, index: number): void {
  const { rng, pids } = b;
  const ctx = sandboxContext(b, index);
  const pid = pids.take();
  const vcpus = rng.pick([1, 2]);
  // runtime-rs forces sandbox_cgroup_only: everything, threads included, sits in the pod cgroup.
  const cgroup = ctx.podCgroup;
  b.add({
    pid,
    argv: [RS_SHIM, '-id', ctx.sid, '-namespace', 'k8s.io', '-address', CONTAINERD_SOCK, '-publish-binary', '/usr/bin/containerd'],
    comm: 'containerd-shim', exe: RS_SHIM, startTime: b.startTime(), seccomp: 2, noNewPrivs: 1,
    environ: { RUST_BACKTRACE: '1', KATA_RUNTIME_BIND_FD: '3' },
    ns: { mnt: ctx.shimMnt }, cgroup,
    fds: fdMap(['/dev/null', '/dev/null', '/dev/null', b.socket(), 'anon_inode:[eventpoll]', '/dev/kvm', 'anon_inode:kvm-vm', ...Array.from({ length: vcpus }, (_, i) => `anon_inode:kvm-vcpu:${i}`),
      '/dev/vhost-net', '/dev/net/tun', b.socket(), 'anon_inode:[eventfd]', 'anon_inode:[eventfd]', b.socket()]),
    threads: [
      ...pids.threads(rng.int(4, 6)).map((tid) => ({ tid, comm: 'tokio-runtime-w', seccomp: 2 as const })),
      ...pids.threads(1).map((tid) => ({ tid, comm: 'vmm_master', seccomp: 2 as const })),
      ...pids.threads(vcpus).map((tid, i) => ({ tid, comm: `db_vcpu${i}`, seccomp: 2 as const })),
      ...pids.threads(1).map((tid) => ({ tid, comm: 'blk_iothread_q0', seccomp: 2 as const })),
    ],
  });
  addBundle(b, ctx, pid);
  b.dirs.push(`root/run/kata/${ctx.sid}/root`, `root/run/kata-containers/shared/sandboxes/${ctx.sid}/ro`);
}

/** A workload's own QEMU-named binary claiming a sandbox id: must stay untrusted and bounded. */
function addLookalike(b: HostBuilder, parentPid: number): void {
  const { rng, pids } = b;
  const pid = pids.take();
  b.add({
    pid, ppid: parentPid, argv: ['qemu-system-x86_64', '-name', `sandbox-${rng.hex(64)}`, '-m', '128M', '-nographic'],
    comm: 'qemu-system-x86', exe: `/home/user/.cache/qemu-system-x86_64-${rng.hex(4)}`, uid: 1000, gid: 1000, capEff: '0000000000000000',
    startTime: b.startTime(), cgroup: '0::/user.slice/user-1000.slice/session-7.scope', fds: fdMap(['/dev/null', '/dev/null', '/dev/null']),
  });
}

// ------------------------------------------------------------------------------------------------ host files

const CPU_VULNERABILITIES: Record<string, string> = {
  gather_data_sampling: 'Not affected',
  itlb_multihit: 'Not affected',
  l1tf: 'Not affected',
  mds: 'Not affected',
  meltdown: 'Not affected',
  mmio_stale_data: 'Not affected',
  reg_file_data_sampling: 'Not affected',
  retbleed: 'Not affected',
  spec_rstack_overflow: 'Vulnerable: Safe RET, no microcode',
  spec_store_bypass: 'Mitigation: Speculative Store Bypass disabled via prctl',
  spectre_v1: 'Mitigation: usercopy/swapgs barriers and __user pointer sanitization',
  spectre_v2: 'Mitigation: Retpolines; IBPB: conditional; STIBP: always-on; RSB filling; PBRSB-eIBRS: Not affected; BHI: Not affected',
  srbds: 'Not affected',
  tsx_async_abort: 'Not affected',
  vmscape: 'Mitigation: IBPB before exit to userspace',
};

const MODULES: ReadonlyArray<[name: string, size: number, users: number, by: string]> = [
  ['vhost_net', 36864, 0, '-'], ['vhost_vsock', 24576, 0, '-'], ['vmw_vsock_virtio_transport_common', 57344, 1, 'vhost_vsock,'],
  ['vhost', 65536, 2, 'vhost_net,vhost_vsock,'], ['vhost_iotlb', 16384, 1, 'vhost,'], ['vsock', 61440, 2, 'vhost_vsock,vmw_vsock_virtio_transport_common,'],
  ['tap', 28672, 1, 'vhost_net,'], ['overlay', 212992, 40, '-'], ['br_netfilter', 32768, 0, '-'], ['bridge', 421888, 1, 'br_netfilter,'],
  ['kvm_amd', 245760, 0, '-'], ['ccp', 155648, 1, 'kvm_amd,'], ['kvm', 1429504, 1, 'kvm_amd,'], ['irqbypass', 12288, 1, 'kvm,'],
];

function hostFiles(b: HostBuilder, sandboxes: number): void {
  const f = b.files;
  f['proc/sys/kernel/arch'] = 'x86_64\n';
  // node_exporter's processes collector reads these two limits.
  f['proc/sys/kernel/pid_max'] = '4194304\n';
  f['proc/sys/kernel/threads-max'] = '1031060\n';
  f['proc/cpuinfo'] = `${Array.from({ length: 4 }, (_, i) => [
    `processor\t: ${i}`, 'vendor_id\t: AuthenticAMD', 'cpu family\t: 25', 'model\t\t: 1', 'model name\t: AMD EPYC 7763 64-Core Processor',
    'flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ht syscall nx mmxext lm constant_tsc rep_good nopl cpuid pni pclmulqdq monitor ssse3 fma cx16 sse4_1 sse4_2 x2apic movbe popcnt aes xsave avx f16c rdrand svm extapic cr8_legacy abm sse4a npt lbrv nrip_save',
    'bugs\t\t: sysret_ss_attrs spectre_v1 spectre_v2 spec_store_bypass srso', '',
  ].join('\n')).join('\n')}`;
  f['root/etc/os-release'] = 'PRETTY_NAME="Ubuntu 24.04.4 LTS"\nNAME="Ubuntu"\nVERSION_ID="24.04"\nID=ubuntu\nID_LIKE=debian\n';
  // Module use counts follow the sandboxes: one vhost-net and one vhost-vsock fd per QEMU, vhost-net per Dragonball.
  const qemu = Math.ceil(sandboxes / 2);
  f['proc/modules'] = `${MODULES.map(([name, size, users, by]) => {
    const count = name === 'vhost_net' ? qemu + Math.ceil(sandboxes / 10) : name === 'vhost_vsock' ? qemu : name === 'kvm_amd' ? sandboxes : users;
    return `${name} ${size} ${count} ${by} Live 0x0000000000000000`;
  }).join('\n')}\n`;
  for (const [name] of MODULES) {
    f[`sys/module/${name}/initstate`] = 'live\n';
    f[`sys/module/${name}/refcnt`] = '0\n';
  }
  f['sys/module/kvm_amd/parameters/nested'] = '1\n';
  f['sys/module/kvm_amd/parameters/sev'] = 'N\n';
  f['sys/module/kvm/parameters/nx_huge_pages'] = 'N\n';
  f['sys/module/vhost/parameters/max_mem_regions'] = '64\n';
  for (const [name, text] of Object.entries(CPU_VULNERABILITIES)) f[`sys/devices/system/cpu/vulnerabilities/${name}`] = `${text}\n`;
  b.dirs.push('sys/kernel/iommu_groups', 'sys/class/iommu', 'sys/bus/pci/devices');

  const defaults = 'root/opt/kata/share/defaults/kata-containers';
  f[`${defaults}/configuration-qemu.toml`] = kataConfig('qemu', QEMU, '[hypervisor.qemu]', 'virtio-fs');
  f[`${defaults}/configuration-clh.toml`] = kataConfig('clh', CLH, '[hypervisor.clh]', 'virtio-fs');
  f[`${defaults}/configuration-fc.toml`] = kataConfig('fc', '/opt/kata/bin/firecracker', '[hypervisor.firecracker]', null);
  f[`${defaults}/runtime-rs/configuration-dragonball.toml`] = kataConfig('dragonball', '', '[hypervisor.dragonball]', 'inline-virtio-fs');
  b.links[`${defaults}/configuration.toml`] = 'configuration-qemu.toml';
}

function kataConfig(kind: string, hypervisorPath: string, section: string, sharedFs: string | null): string {
  const lines = [`# Kata Containers configuration for ${kind} (kata-deploy defaults)`, section];
  if (hypervisorPath !== '') lines.push(`path = "${hypervisorPath}"`, `valid_hypervisor_paths = ["${hypervisorPath}"]`);
  if (kind === 'fc') lines.push('jailer_path = "/opt/kata/bin/jailer"', 'valid_jailer_paths = ["/opt/kata/bin/jailer"]');
  lines.push('kernel = "/opt/kata/share/kata-containers/vmlinux.container"', 'default_vcpus = 1', 'default_maxvcpus = 0', 'default_memory = 2048', 'disable_seccomp = false', 'enable_debug = false');
  if (sharedFs !== null) lines.push(`shared_fs = "${sharedFs}"`);
  if (sharedFs === 'virtio-fs') lines.push(`virtio_fs_daemon = "${VIRTIOFSD}"`, `valid_virtio_fs_daemon_paths = ["${VIRTIOFSD}"]`, 'virtio_fs_cache = "auto"', 'virtio_fs_extra_args = ["--thread-pool-size=1", "--announce-submounts"]');
  if (kind === 'qemu') lines.push('disable_vhost_net = false', 'enable_iommu = false', 'hotplug_vfio_on_root_bus = false', 'pcie_root_port = 0');
  lines.push('', '[agent.kata]', 'dial_timeout = 45', '', '[runtime]', 'internetworking_model = "tcfilter"', 'disable_guest_seccomp = true', 'sandbox_cgroup_only = false', '');
  return lines.join('\n');
}

// ------------------------------------------------------------------------------------------------ entry point

/**
 * A node with `sandboxes` Kata sandboxes among `otherProcesses` other processes (and optional look-alikes).
 * Ordinary processes get the low pids, sandboxes come after them, as on a node that booted, started its
 * services and pods, and then scheduled Kata pods.
 */
export function syntheticHost(options: SyntheticHostOptions): FixtureHost {
  const rng = new Rng(options.seed ?? 20260601);
  const b = new HostBuilder(rng, new PidAllocator(100, rng), options.ordinaryThreads ?? true);
  addNode(b, options.otherProcesses);
  const vmmOf = options.vmmOf ?? defaultVmmOf;
  for (let i = 0; i < options.sandboxes; i++) {
    const kind = vmmOf(i);
    if (kind === 'qemu') addQemuSandbox(b, i);
    else if (kind === 'cloud-hypervisor') addCloudHypervisorSandbox(b, i);
    else if (kind === 'firecracker') addFirecrackerSandbox(b, i);
    else addDragonballSandbox(b, i);
  }
  const lookalikes = options.lookalikes ?? 0;
  if (lookalikes > 0) {
    const shell = b.pids.take();
    b.add({ pid: shell, argv: ['-bash'], comm: 'bash', exe: '/usr/bin/bash', uid: 1000, gid: 1000, capEff: '0000000000000000', startTime: b.startTime(), cgroup: '0::/user.slice/user-1000.slice/session-7.scope' });
    for (let i = 0; i < lookalikes; i++) addLookalike(b, shell);
  }
  hostFiles(b, options.sandboxes);
  return {
    description: `synthetic: ${options.sandboxes} sandboxes among ${options.otherProcesses} other processes${lookalikes ? `, ${lookalikes} look-alikes` : ''}${options.ordinaryThreads === false ? ', single-threaded ordinary processes' : ''} (seed ${options.seed ?? 20260601})`,
    hostname: 'synthetic-node',
    kernelRelease: '6.17.0-14-generic',
    processes: b.processes,
    files: b.files,
    links: b.links,
    dirs: b.dirs,
  };
}

/** Size of a host as /proc shows it: processes, and threads including each leader. */
export function hostShape(host: FixtureHost): { processes: number; threads: number } {
  const processes = host.processes ?? [];
  return { processes: processes.length, threads: processes.reduce((n, p) => n + 1 + (p.threads?.length ?? 0), 0) };
}
