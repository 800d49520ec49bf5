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
  const pid = decimal(text.slice(0, open));
  const rest = firstFields(text, close + 2, 20);
  // rest[0] is field 3 (state); field n is rest[n - 3].
  const state = rest[0];
  const ppid = decimal(rest[1]);
  const threads = decimal(rest[17]);
  const startTime = decimal(rest[19]);
  if (pid === undefined || !state || ppid === undefined || startTime === undefined) return undefined;
  return { pid, comm: text.slice(open + 1, close), state, ppid, threads: threads ?? 1, startTime };
}

/**
 * The first `count` space-separated fields from `start`, as text.slice(start).split(' ') would give them: the
 * scan parses one stat line per process (thousands per scan) and needs only fields 3 to 22 of 52.
 */
function firstFields(text: string, start: number, count: number): string[] {
  const out: string[] = [];
  let from = start;
  while (out.length < count) {
    const space = text.indexOf(' ', from);
    if (space === -1) {
      out.push(text.slice(from));
      break;
    }
    out.push(text.slice(from, space));
    from = space + 1;
  }
  return out;
}

// The kernel writes these fields in decimal. Number() would also take "", "-1", "0x10" and "1e3", so a cut or
// corrupt line could yield pid 0 or a negative ppid instead of being rejected.
function decimal(field: string | undefined): number | undefined {
  const text = field?.trim();
  if (!text || !/^\d+$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}
