/** The fields of /proc/<pid>/stat the scan uses. */
export interface ProcStat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  threads: number;
  /** Clock ticks after boot: with the pid, it identifies a process across pid reuse. */
  startTime: number;
}

/**
 * Parses /proc/<pid>/stat. comm sits in parentheses and may itself hold spaces and ")" (a workload can
 * name its process anything), so the fields after it are found from the last ")". Returns undefined when
 * the line is malformed.
 */
export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open <= 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  const rest = text.slice(close + 2).split(' ');
  // rest[0] is field 3 (state); field n is rest[n - 3].
  const state = rest[0];
  const ppid = Number(rest[1]);
  const threads = Number(rest[17]);
  const startTime = Number(rest[19]);
  if (!Number.isSafeInteger(pid) || !state || !Number.isSafeInteger(ppid) || !Number.isSafeInteger(startTime)) return undefined;
  return { pid, comm: text.slice(open + 1, close), state, ppid, threads: Number.isSafeInteger(threads) ? threads : 1, startTime };
}
