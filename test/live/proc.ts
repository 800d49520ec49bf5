// What /proc says about a live process, read directly and independently of the agent, so that the tests can
// hold the agent's report against the kernel's own answers.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export const NAMESPACE_KINDS = ['mnt', 'net', 'pid', 'user', 'ipc', 'uts', 'cgroup'] as const;
export type NamespaceKind = (typeof NAMESPACE_KINDS)[number];

/** A process identified for good: a pid alone can be reused, a (pid, start time) pair cannot. */
export interface ProcessIdentity {
  pid: number;
  startTime: number;
}

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

export function statOf(pid: number): { comm: string; ppid: number; pgid: number; startTime: number } | undefined {
  const text = read(`/proc/${pid}/stat`);
  if (text === undefined) return undefined;
  const close = text.lastIndexOf(')');
  const rest = text.slice(close + 2).trim().split(' ');
  // rest[0] is field 3 (state): ppid is field 4, pgrp field 5, starttime field 22.
  return {
    comm: text.slice(text.indexOf('(') + 1, close),
    ppid: Number(rest[1]),
    pgid: Number(rest[2]),
    startTime: Number(rest[22 - 3]),
  };
}

export function identityOf(pid: number): ProcessIdentity | undefined {
  const stat = statOf(pid);
  return stat === undefined ? undefined : { pid, startTime: stat.startTime };
}

/** True while that very process (not a later one with the same pid) exists and is not a zombie. */
export function isAlive(process: ProcessIdentity): boolean {
  const stat = statOf(process.pid);
  if (stat === undefined || stat.startTime !== process.startTime) return false;
  return !/^State:\s+Z/m.test(read(`/proc/${process.pid}/status`) ?? '');
}

export function statusOf(pid: number, tid?: number): Map<string, string> | undefined {
  const text = read(tid === undefined ? `/proc/${pid}/status` : `/proc/${pid}/task/${tid}/status`);
  if (text === undefined) return undefined;
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  return fields;
}

export type SeccompMode = 'disabled' | 'strict' | 'filter' | 'unknown';

export function seccompModeOf(value: string | undefined): SeccompMode {
  return value === '0' ? 'disabled' : value === '1' ? 'strict' : value === '2' ? 'filter' : 'unknown';
}

export function threadIds(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).filter((t) => /^\d+$/.test(t)).map(Number).sort((a, b) => a - b);
  } catch {
    return [];
  }
}

/** The truth the report's SandboxProcess is held against. */
export interface ProcTruth {
  pid: number;
  ppid: number;
  comm: string;
  exe: string | null;
  seccomp: SeccompMode;
  threads: number;
  threadsWithoutSeccomp: number;
  noNewPrivs: boolean | null;
  capEffective: bigint | null;
  nspid: number[];
  namespaces: Partial<Record<NamespaceKind, string>>;
  root: string | null;
}

export function namespacesOf(pid: number): Partial<Record<NamespaceKind, string>> {
  const out: Partial<Record<NamespaceKind, string>> = {};
  for (const kind of NAMESPACE_KINDS) {
    try {
      out[kind] = readlinkSync(`/proc/${pid}/ns/${kind}`);
    } catch {
      // Unreadable: left out, and compared as unknown.
    }
  }
  return out;
}

function link(file: string): string | null {
  try {
    return readlinkSync(file);
  } catch {
    return null;
  }
}

export function truthOf(pid: number): ProcTruth | undefined {
  const stat = statOf(pid);
  const status = statusOf(pid);
  if (stat === undefined || status === undefined) return undefined;
  const tids = threadIds(pid);
  let withoutSeccomp = 0;
  for (const tid of tids) if (statusOf(pid, tid)?.get('Seccomp') === '0') withoutSeccomp++;
  const capEff = status.get('CapEff');
  const nnp = status.get('NoNewPrivs');
  return {
    pid,
    ppid: stat.ppid,
    comm: stat.comm,
    exe: link(`/proc/${pid}/exe`),
    seccomp: seccompModeOf(status.get('Seccomp')),
    threads: tids.length,
    threadsWithoutSeccomp: withoutSeccomp,
    noNewPrivs: nnp === undefined ? null : nnp === '1',
    capEffective: capEff === undefined ? null : BigInt(`0x${capEff}`),
    nspid: (status.get('NSpid') ?? '').split(/\s+/).filter((v) => v !== '').map(Number),
    namespaces: namespacesOf(pid),
    root: link(`/proc/${pid}/root`),
  };
}

/** The namespaces `pid` shares with `reference`, as the report's sharedNamespaces should list them. */
export function sharedNamespaces(pid: number, reference: number): NamespaceKind[] {
  const mine = namespacesOf(pid);
  const theirs = namespacesOf(reference);
  return NAMESPACE_KINDS.filter((kind) => mine[kind] !== undefined && mine[kind] === theirs[kind]);
}

/** Direct children of `pid`, from every process's stat (CONFIG_PROC_CHILDREN is not everywhere). */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    if (statOf(Number(name))?.ppid === pid) out.push(Number(name));
  }
  return out.sort((a, b) => a - b);
}

/** A process and all its descendants, parents first. */
export function descendantsOf(pid: number): number[] {
  const byParent = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = statOf(Number(name));
    if (stat === undefined) continue;
    const list = byParent.get(stat.ppid) ?? [];
    list.push(Number(name));
    byParent.set(stat.ppid, list);
  }
  const out: number[] = [];
  const walk = (p: number): void => {
    for (const child of (byParent.get(p) ?? []).sort((a, b) => a - b)) {
      out.push(child);
      walk(child);
    }
  };
  walk(pid);
  return out;
}

export function cmdlineOf(pid: number): string[] | undefined {
  const text = read(`/proc/${pid}/cmdline`);
  if (text === undefined) return undefined;
  const parts = text.split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}
