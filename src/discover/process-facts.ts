import type { HostView } from '../host/host-view.js';
import { parseCgroup, type CgroupEntry } from '../host/proc/cgroup.js';
import { parseCmdline } from '../host/proc/cmdline.js';
import { parseNamespaceLink } from '../host/proc/namespace-link.js';
import { parseProcStat, type ProcStat } from '../host/proc/stat.js';
import { parseProcStatus, parseThreadStatus, type ProcStatus } from '../host/proc/status.js';
import { NAMESPACE_KINDS, type NamespaceKind } from '../model/report.js';

/** argv above this is cut (and recorded): a 1 MB argv must not cost 1 MB per scan. */
export const MAX_CMDLINE_BYTES = 128 * 1024;
/** fds and threads above these are counted but not read: a process cannot make the scan walk 100k links. */
export const MAX_FDS = 4096;
export const MAX_THREADS = 1024;

export interface ThreadFacts {
  tid: number;
  comm: string | null;
  seccomp: 0 | 1 | 2 | null;
}

/** Everything read about one candidate process. Reading only; judging happens later. */
export interface ProcessFacts {
  pid: number;
  ppid: number;
  comm: string;
  startTime: number;
  argv: string[];
  exe: string | null;
  status: ProcStatus | null;
  threads: ThreadFacts[];
  namespaces: Partial<Record<NamespaceKind, string | null>>;
  namespacesReadable: boolean;
  fds: Map<number, string>;
  /** The cache entry of this process: argv, exe and what is known to hold for its whole life. */
  stable: StableFacts;
}

/**
 * Facts that cannot change for a given (pid, start time): reused across scans. The optional fields are filled
 * by later stages the first time they are known (a shim's pod and configuration file do not change either).
 */
export interface StableFacts {
  argv: string[];
  exe: string | null;
  /** comm when argv and exe were read: execve() keeps pid and start time but changes comm. */
  comm: string;
  pod?: { uid: string | null; name: string | null; namespace: string | null; runtimeClass?: string | null };
  kataConfFile?: string | null;
  /** CRI-O's io.kubernetes.cri-o.RuntimeHandler from the shim's bundle (containerd writes none). */
  runtimeHandler?: string | null;
  /**
   * Threads last seen under seccomp, by tid (see readThreads): their mode can only stay or get stricter.
   * Present only on an identity the ProcessCache holds.
   */
  filteredThreads?: Map<number, FilteredThread>;
}

/** A thread seen in seccomp mode 1 or 2, with the start time that tells it from a later thread of the same tid. */
export interface FilteredThread {
  startTime: number;
  seccomp: 1 | 2;
}

/**
 * Caches argv and exe per (pid, start time). A pid reused by a new process has another start time, so the
 * cache can never attribute an old argv to a new process. Entries not touched by a scan are dropped after it.
 */
export class ProcessCache {
  private entries = new Map<string, StableFacts>();
  private touched = new Set<string>();

  get(stat: ProcStat): StableFacts | undefined {
    const key = `${stat.pid}:${stat.startTime}`;
    const hit = this.entries.get(key);
    // execve() keeps the pid and the start time: a jailer that execs Firecracker in place is the same key with a
    // new comm. A changed comm is a new identity; an exec that keeps the comm is caught by readIdentity's exe check.
    if (hit === undefined || hit.comm !== stat.comm) return undefined;
    this.touched.add(key);
    return hit;
  }

  set(stat: ProcStat, facts: StableFacts): void {
    const key = `${stat.pid}:${stat.startTime}`;
    this.entries.set(key, facts);
    this.touched.add(key);
  }

  /** Called after each scan: forget processes that are gone. */
  sweep(): void {
    for (const key of this.entries.keys()) if (!this.touched.has(key)) this.entries.delete(key);
    this.touched = new Set();
  }

  get size(): number {
    return this.entries.size;
  }
}

const STAGE = 'process';

/** argv and exe: the first, cheap level of a candidate's deep read. */
export function readIdentity(view: HostView, stat: ProcStat, cache: ProcessCache | undefined): StableFacts | undefined {
  // execve() keeps pid, start time and (for a file of the same name) comm: the exe link is read every scan
  // (one readlink), and a changed link is a new identity. The file behind an unchanged link is compared by
  // inode where trust is decided (anchors.ts), also every scan.
  const readExe = (): string | null => view.readLink('proc', `${stat.pid}/exe`, { stage: STAGE, processFile: true }) ?? null;
  const cached = cache?.get(stat);
  const seenExe = cached ? readExe() : undefined;
  if (cached && cached.exe === seenExe) return cached;
  const raw = view.readBytes('proc', `${stat.pid}/cmdline`, { stage: STAGE, processFile: true, maxBytes: MAX_CMDLINE_BYTES });
  if (raw === undefined) return undefined;
  const argv = parseCmdline(raw);
  const exe = seenExe === undefined ? readExe() : seenExe;
  const facts: StableFacts = { argv, exe, comm: stat.comm };
  // Only a complete read is cached: a transient EACCES must not stick for the life of the process. Only a
  // cached identity carries the thread memo: for one read once, the memo's extra stat reads would be waste.
  if (exe !== null && cache) {
    facts.filteredThreads = new Map();
    cache.set(stat, facts);
  }
  return facts;
}

export function readStatus(view: HostView, pid: number): ProcStatus | null {
  const rel = `${pid}/status`;
  const text = view.readText('proc', rel, { stage: STAGE, processFile: true, maxBytes: 16 * 1024 });
  if (text === undefined) return null;
  const status = parseProcStatus(text);
  // Every kernel Kata runs on prints Uid and Seccomp: without them the file was cut or is not a status file,
  // and the hardening of this process is unknown rather than "disabled".
  if (status.uids.length === 0 || status.seccomp === null) {
    view.errors.add(STAGE, view.hostPath('proc', rel), 'E_MALFORMED', 'status lacks the Uid or Seccomp field; confinement unknown');
  }
  return status;
}

/**
 * The deep read of a candidate whose identity is known: status, threads, namespaces and fds. cgroups are read
 * later and only when needed (pod identity). `wantFds(threads)` may skip the fd walk: a Go shim's fds say
 * nothing about devices, a Dragonball shim's do, and only its threads tell which it is.
 */
export function readProcessFacts(
  view: HostView,
  stat: ProcStat,
  identity: StableFacts,
  wantFds: (threads: readonly ThreadFacts[]) => boolean = () => true,
): ProcessFacts {
  const pid = stat.pid;
  const status = readStatus(view, pid);
  const threads = readThreads(view, pid, status, identity);
  return {
    pid,
    ppid: stat.ppid,
    comm: stat.comm,
    startTime: stat.startTime,
    argv: identity.argv,
    exe: identity.exe,
    status,
    threads,
    ...readNamespaces(view, pid),
    fds: wantFds(threads) ? readFds(view, pid) : new Map(),
    stable: identity,
  };
}

/**
 * The threads of a process and the seccomp mode of each. A thread's mode never goes back: seccomp(2) has no
 * way to drop a filter or leave strict mode, and both survive fork and exec. So a thread seen filtered needs
 * only its task/<tid>/stat (comm and start time: smaller and cheaper for the kernel than status) while that
 * start time stays the same; a new thread that got the tid after the old one exited has another start time
 * and is read in full. The memo hangs on the process's StableFacts, which are per (pid, start time) and are
 * dropped on exec (comm or exe change) and when the process is gone, and it only keeps the tids of this read
 * (at most MAX_THREADS).
 */
function readThreads(view: HostView, pid: number, leader: ProcStatus | null, identity: StableFacts): ThreadFacts[] {
  const tids = view.list('proc', `${pid}/task`, { stage: STAGE, processFile: true });
  if (tids === undefined) return leader ? [{ tid: pid, comm: leader.name, seccomp: leader.seccomp }] : [];
  const numeric = tids.filter((t) => /^\d+$/.test(t)).map(Number).sort((a, b) => a - b);
  if (numeric.length > MAX_THREADS) {
    view.errors.add(STAGE, `/proc/${pid}/task`, 'E_LIMIT', `${numeric.length} threads; only the first ${MAX_THREADS} were read`);
  }
  const known = identity.filteredThreads;
  const filtered = new Map<number, FilteredThread>();
  const threads: ThreadFacts[] = [];
  for (const tid of numeric.slice(0, MAX_THREADS)) {
    if (tid === pid && leader) {
      threads.push({ tid, comm: leader.name, seccomp: leader.seccomp });
      continue;
    }
    const memo = known?.get(tid);
    const reused = memo === undefined ? undefined : stillFiltered(view, pid, tid, memo);
    if (reused !== undefined) {
      threads.push(reused);
      filtered.set(tid, memo!);
      continue;
    }
    const text = view.readText('proc', `${pid}/task/${tid}/status`, { stage: STAGE, processFile: true, maxBytes: 16 * 1024 });
    if (text === undefined) continue;
    const status = parseThreadStatus(text);
    threads.push({ tid, comm: status.name, seccomp: status.seccomp });
    if (known !== undefined && (status.seccomp === 1 || status.seccomp === 2)) {
      const startTime = threadStat(view, pid, tid)?.startTime;
      if (startTime !== undefined) filtered.set(tid, { startTime, seccomp: status.seccomp });
    }
  }
  if (known !== undefined) identity.filteredThreads = filtered;
  return threads;
}

function threadStat(view: HostView, pid: number, tid: number): ProcStat | undefined {
  // Optional: a kernel or fixture without task/<tid>/stat only loses the memo.
  const text = view.readText('proc', `${pid}/task/${tid}/stat`, { stage: STAGE, optional: true, maxBytes: 4096 });
  const stat = text === undefined ? undefined : parseProcStat(text);
  return stat?.pid === tid ? stat : undefined;
}

/** The memoised thread with its comm of now, or undefined when it must be read in full. */
function stillFiltered(view: HostView, pid: number, tid: number, memo: FilteredThread): ThreadFacts | undefined {
  const stat = threadStat(view, pid, tid);
  if (stat === undefined || stat.startTime !== memo.startTime) return undefined;
  // status prints Name with "\" and newline escaped and parseThreadStatus trims it; stat prints comm raw. Only
  // a comm both print alike is taken from stat.
  if (/[\\\n]/.test(stat.comm) || stat.comm !== stat.comm.trim()) return undefined;
  return { tid, comm: stat.comm, seccomp: memo.seccomp };
}

function readNamespaces(view: HostView, pid: number): Pick<ProcessFacts, 'namespaces' | 'namespacesReadable'> {
  const namespaces: Partial<Record<NamespaceKind, string | null>> = {};
  let readable = true;
  for (const kind of NAMESPACE_KINDS) {
    const link = view.readLink('proc', `${pid}/ns/${kind}`, { stage: STAGE, processFile: true });
    const id = link === undefined ? undefined : parseNamespaceLink(link);
    namespaces[kind] = id ?? null;
    if (id === undefined) {
      readable = false;
      // One error per process is enough: the rest of ns/ fails for the same reason.
      if (link === undefined) break;
    }
  }
  return { namespaces, namespacesReadable: readable };
}

export function readNamespaceIds(view: HostView, pid: number, stage: string): Partial<Record<NamespaceKind, string | null>> {
  const out: Partial<Record<NamespaceKind, string | null>> = {};
  for (const kind of NAMESPACE_KINDS) {
    const link = view.readLink('proc', `${pid}/ns/${kind}`, { stage });
    out[kind] = link === undefined ? null : (parseNamespaceLink(link) ?? null);
    if (link === undefined) {
      for (const rest of NAMESPACE_KINDS) out[rest] ??= null;
      break;
    }
  }
  return out;
}

function readFds(view: HostView, pid: number): Map<number, string> {
  const fds = new Map<number, string>();
  const names = view.list('proc', `${pid}/fd`, { stage: STAGE, processFile: true });
  if (names === undefined) return fds;
  if (names.length > MAX_FDS) {
    view.errors.add(STAGE, `/proc/${pid}/fd`, 'E_LIMIT', `${names.length} fds; only the first ${MAX_FDS} were read`);
  }
  for (const name of names.slice(0, MAX_FDS)) {
    const target = view.readLink('proc', `${pid}/fd/${name}`, { stage: STAGE, optional: true });
    if (target !== undefined) fds.set(Number(name), target);
  }
  return fds;
}

export function readCgroups(view: HostView, rel: string): CgroupEntry[] {
  const text = view.readText('proc', rel, { stage: STAGE, processFile: true, maxBytes: 16 * 1024 });
  return text === undefined ? [] : parseCgroup(text);
}

/** The value of one variable from /proc/<pid>/environ (needs CAP_SYS_PTRACE for other users' processes). */
export function readEnvironVariable(view: HostView, pid: number, name: string): string | undefined {
  const raw = view.readBytes('proc', `${pid}/environ`, { stage: STAGE, processFile: true, maxBytes: 64 * 1024 });
  if (raw === undefined) return undefined;
  const prefix = `${name}=`;
  for (const entry of raw.toString('utf8').split('\0')) if (entry.startsWith(prefix)) return entry.slice(prefix.length);
  return undefined;
}
