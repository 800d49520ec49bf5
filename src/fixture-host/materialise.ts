import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { FixtureError, messageOf } from '../errors.js';
import type { HostRoots } from '../host/host-view.js';
import { NAMESPACE_KINDS } from '../model/report.js';
import {
  DEFAULT_HOST_NAMESPACES,
  FULL_CAPS,
  type FixtureHost,
  type FixtureProcess,
  type FixtureThread,
} from './description.js';

/** Reads a fixture host description (YAML). */
export function loadFixtureHost(file: string): FixtureHost {
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(file, 'utf8'), { maxAliasCount: -1 });
  } catch (error) {
    throw new FixtureError(`cannot read fixture host ${file}: ${messageOf(error)}`, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null) throw new FixtureError(`fixture host ${file} is not a mapping`);
  return parsed as FixtureHost;
}

/**
 * Writes the host into `dir` as proc/, sys/ and root/ and returns the roots to scan it with.
 * `dir` must be empty or absent.
 */
export function materialiseFixtureHost(host: FixtureHost, dir: string): HostRoots {
  const roots: HostRoots = {
    procfs: path.join(dir, 'proc'),
    sysfs: path.join(dir, 'sys'),
    rootfs: path.join(dir, 'root'),
  };
  for (const root of Object.values(roots)) mkdirSync(root, { recursive: true });

  const hostNs = { ...DEFAULT_HOST_NAMESPACES, ...host.hostNamespaces };
  writeFile(dir, 'proc/sys/kernel/hostname', `${host.hostname ?? 'fixture-node'}\n`);
  writeFile(dir, 'proc/sys/kernel/osrelease', `${host.kernelRelease ?? '6.8.0-fixture'}\n`);

  const seenPids = new Set<number>();
  for (const process of host.processes ?? []) {
    if (!Number.isInteger(process.pid) || process.pid <= 0) throw new FixtureError(`process pid ${String(process.pid)} is not a positive integer`);
    if (seenPids.has(process.pid)) throw new FixtureError(`process pid ${process.pid} appears twice`);
    seenPids.add(process.pid);
    writeProcess(dir, process, hostNs);
  }
  for (const rel of host.dirs ?? []) mkdirSync(path.join(dir, safeRelative(rel)), { recursive: true });
  // Host-level links and files come last and override what the processes generated (e.g. a cwd link).
  for (const [rel, target] of Object.entries(host.links ?? {})) {
    rmSync(path.join(dir, safeRelative(rel)), { force: true });
    writeLink(dir, rel, target);
  }
  for (const [rel, content] of Object.entries(host.files ?? {})) writeFile(dir, rel, content);
  return roots;
}

function writeProcess(dir: string, p: FixtureProcess, hostNs: Record<string, number>): void {
  const base = `proc/${p.pid}`;
  const omit = new Set(p.omit ?? []);
  const comm = (p.comm ?? path.basename(p.argv[0] ?? 'unknown')).slice(0, 15);
  const threads: FixtureThread[] = [{ tid: p.pid, comm, seccomp: p.seccomp ?? 0 }, ...(p.threads ?? [])];
  const cgroup = p.cgroup ?? '0::/\n';

  const put = (name: string, content: string | Buffer): void => {
    if (!omit.has(name)) writeFile(dir, `${base}/${name}`, content);
  };
  put('cmdline', Buffer.from(p.argv.map((a) => `${a}\0`).join(''), 'utf8'));
  put('comm', `${comm}\n`);
  put('stat', statLine(p, comm, threads.length));
  put('status', statusFile(p, comm, p.pid, threads.length, p.seccomp ?? 0));
  put('cgroup', ensureNewline(cgroup));
  put('environ', Object.entries(p.environ ?? {}).map(([k, v]) => `${k}=${v}\0`).join(''));
  if (p.mountinfo !== undefined) put('mountinfo', ensureNewline(p.mountinfo));
  if (!omit.has('exe') && p.exe !== null) {
    const exe = p.exe ?? p.argv[0] ?? '/unknown';
    writeLink(dir, `${base}/exe`, exe);
    if (p.exeFile !== undefined) writeFile(dir, `${base}/.exe-file`, p.exeFile);
    ensureHostFile(dir, p.exeFile ?? exe);
  }
  const cwd = p.cwd ?? defaultShimCwd(p.argv);
  if (!omit.has('cwd') && cwd !== undefined) {
    writeLink(dir, `${base}/cwd`, cwd);
    ensureHostDirectory(dir, cwd);
  }
  if (!omit.has('root')) writeLink(dir, `${base}/root`, p.root ?? '/');
  if (!omit.has('ns')) {
    mkdirSync(path.join(dir, base, 'ns'), { recursive: true });
    for (const kind of NAMESPACE_KINDS) writeLink(dir, `${base}/ns/${kind}`, `${kind}:[${p.ns?.[kind] ?? hostNs[kind]}]`);
  }
  if (!omit.has('fd')) {
    mkdirSync(path.join(dir, base, 'fd'), { recursive: true });
    for (const [fd, target] of Object.entries(p.fds ?? {})) writeLink(dir, `${base}/fd/${fd}`, target);
  }
  if (!omit.has('task')) {
    for (const thread of threads) {
      const t = `${base}/task/${thread.tid}`;
      const threadComm = thread.comm ?? comm;
      writeFile(dir, `${t}/comm`, `${threadComm}\n`);
      writeFile(dir, `${t}/status`, statusFile(p, threadComm, thread.tid, threads.length, thread.seccomp ?? p.seccomp ?? 0));
      writeFile(dir, `${t}/stat`, statLine({ ...p, pid: thread.tid, startTime: thread.startTime ?? p.startTime ?? p.pid * 10 }, threadComm, threads.length));
      writeFile(dir, `${t}/cgroup`, ensureNewline(thread.cgroup ?? cgroup));
    }
  }
  for (const [name, content] of Object.entries(p.files ?? {})) writeFile(dir, `${base}/${name}`, content);
}

/** containerd starts a v2 shim in its bundle directory (see DEFAULT_BUNDLE_DIRS). */
function defaultShimCwd(argv: readonly string[]): string | undefined {
  if (!/^containerd-shim-kata(-[a-z0-9-]+)?-v2$/.test(path.basename(argv[0] ?? ''))) return undefined;
  const after = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const id = after('-id');
  // Only ids a bundle directory could have (hostile fixtures claim ids of any length).
  return id === undefined || !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/.test(id) ? undefined : `/run/containerd/io.containerd.runtime.v2.task/${after('-namespace') ?? 'k8s.io'}/${id}`;
}

/** The host file behind an exe link: an empty regular file, unless the fixture has one ("(deleted)" has none). */
function ensureHostFile(dir: string, hostPath: string): void {
  if (!hostPath.startsWith('/') || hostPath.endsWith(' (deleted)')) return;
  const file = path.join(dir, 'root', safeRelative(hostPath.slice(1)));
  if (existsSync(file)) return;
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, '');
}

function ensureHostDirectory(dir: string, hostPath: string): void {
  if (!hostPath.startsWith('/') || hostPath === '/') return;
  const target = path.join(dir, 'root', safeRelative(hostPath.slice(1)));
  mkdirSync(target, { recursive: true });
  chmodSync(target, 0o755);
}

/** /proc/<pid>/stat: 52 fields, comm in parentheses (it may contain spaces and parentheses). */
function statLine(p: FixtureProcess, comm: string, threads: number): string {
  const fields = [
    String(p.pid), `(${comm})`, p.state ?? 'S', String(p.ppid ?? 1), String(p.pid), String(p.pid), '0', '-1', '4194560',
    '1000', '0', '10', '0', '25', '12', '0', '0', '20', '0', String(threads), '0', String(p.startTime ?? p.pid * 10),
    '2147483648', '51200', '18446744073709551615', '1', '1', '0', '0', '0', '0', '0', '4096', '0', '0', '0', '0',
    '17', '1', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0',
  ];
  return `${fields.join(' ')}\n`;
}

/** /proc/<pid>/status in the kernel's field order (6.x). */
function statusFile(p: FixtureProcess, comm: string, tid: number, threads: number, seccomp: number): string {
  const uid = p.uid ?? 0;
  const gid = p.gid ?? 0;
  const nspid = p.nspid ?? [p.pid];
  const nstid = nspid.length > 1 && tid !== p.pid ? [tid, tid - p.pid + nspid[nspid.length - 1]!] : nspid.length > 1 ? nspid : [tid];
  const full = uid === 0 ? FULL_CAPS : '0000000000000000';
  const lines = [
    `Name:\t${comm}`,
    'Umask:\t0022',
    `State:\t${p.state ?? 'S'} (sleeping)`,
    `Tgid:\t${p.pid}`,
    'Ngid:\t0',
    `Pid:\t${tid}`,
    `PPid:\t${p.ppid ?? 1}`,
    'TracerPid:\t0',
    `Uid:\t${uid}\t${uid}\t${uid}\t${uid}`,
    `Gid:\t${gid}\t${gid}\t${gid}\t${gid}`,
    'FDSize:\t64',
    'Groups:\t',
    `NStgid:\t${nspid.join('\t')}`,
    `NSpid:\t${nstid.join('\t')}`,
    `NSpgid:\t${nspid.join('\t')}`,
    `NSsid:\t${nspid.join('\t')}`,
    'Kthread:\t0',
    'VmPeak:\t  2101248 kB',
    'VmSize:\t  2101248 kB',
    'VmRSS:\t    51200 kB',
    `Threads:\t${threads}`,
    'SigQ:\t0/94565',
    'SigPnd:\t0000000000000000',
    'ShdPnd:\t0000000000000000',
    'SigBlk:\t0000000000000000',
    'SigIgn:\t0000000000001000',
    'SigCgt:\t0000000100004a02',
    `CapInh:\t${p.capInh ?? '0000000000000000'}`,
    `CapPrm:\t${p.capPrm ?? p.capEff ?? full}`,
    `CapEff:\t${p.capEff ?? full}`,
    `CapBnd:\t${p.capBnd ?? FULL_CAPS}`,
    `CapAmb:\t${p.capAmb ?? '0000000000000000'}`,
    `NoNewPrivs:\t${p.noNewPrivs ?? (seccomp === 2 ? 1 : 0)}`,
    `Seccomp:\t${seccomp}`,
    `Seccomp_filters:\t${p.seccompFilters ?? (seccomp === 2 ? 1 : 0)}`,
    'Speculation_Store_Bypass:\tthread vulnerable',
    'SpeculationIndirectBranch:\tconditional enabled',
    'Cpus_allowed:\tff',
    'Cpus_allowed_list:\t0-7',
    'Mems_allowed:\t00000000,00000001',
    'Mems_allowed_list:\t0',
    'voluntary_ctxt_switches:\t150',
    'nonvoluntary_ctxt_switches:\t5',
  ];
  return `${lines.join('\n')}\n`;
}

function ensureNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}

function safeRelative(rel: string): string {
  const normal = path.posix.normalize(rel);
  if (normal.startsWith('..') || path.posix.isAbsolute(normal)) throw new FixtureError(`fixture path ${rel} leaves the host tree`);
  return normal;
}

function writeFile(dir: string, rel: string, content: string | Buffer): void {
  const file = path.join(dir, safeRelative(rel));
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
}

function writeLink(dir: string, rel: string, target: string): void {
  const file = path.join(dir, safeRelative(rel));
  mkdirSync(path.dirname(file), { recursive: true });
  symlinkSync(target, file);
}
