import type { HostView } from '../host/host-view.js';
import { parseProcStat, type ProcStat } from '../host/proc/stat.js';

/** Bound on the processes one scan looks at: a fork bomb must not turn a scan into an hour. */
export const MAX_PROCESSES = 200_000;

export interface ProcessTable {
  byPid: Map<number, ProcStat>;
}

/**
 * The cheap first pass: one read of /proc/<pid>/stat per process gives comm, ppid and start time, enough to
 * pick candidates and walk ancestry. A process that exits between readdir and read is skipped silently: it is
 * not a finding, and on a busy node it happens on every scan.
 */
export function readProcessTable(view: HostView): ProcessTable | undefined {
  const names = view.list('proc', '.', { stage: 'processes' });
  if (names === undefined) return undefined;
  const byPid = new Map<number, ProcStat>();
  let seen = 0;
  for (const name of names) {
    if (!isPidName(name)) continue;
    if (++seen > MAX_PROCESSES) {
      view.errors.add('processes', '/proc', 'E_LIMIT', `more than ${MAX_PROCESSES} processes; the rest were not read`);
      break;
    }
    const text = view.readText('proc', `${name}/stat`, { stage: 'processes', optional: true, maxBytes: 4096 });
    if (text === undefined) continue;
    const stat = parseProcStat(text);
    if (stat === undefined || stat.pid !== Number(name)) {
      view.errors.add('processes', `/proc/${name}/stat`, 'E_MALFORMED', 'stat line does not parse');
      continue;
    }
    byPid.set(stat.pid, stat);
  }
  return { byPid };
}

function isPidName(name: string): boolean {
  const first = name.charCodeAt(0);
  return first >= 49 && first <= 57 && /^\d+$/.test(name);
}

/** Ancestors of a pid, nearest first, stopping at init, a cycle or `depth`. */
export function ancestorsOf(table: ProcessTable, pid: number, depth = 16): number[] {
  const out: number[] = [];
  let current = table.byPid.get(pid)?.ppid;
  while (current !== undefined && current > 1 && out.length < depth && !out.includes(current)) {
    out.push(current);
    current = table.byPid.get(current)?.ppid;
  }
  return out;
}
