/** The fields of /proc/<pid>/status (or task/<tid>/status) that judge confinement. */
export interface ProcStatus {
  name: string | null;
  /** Real, effective, saved, filesystem uid. */
  uids: number[];
  ppid: number | null;
  nspid: number[];
  threads: number | null;
  capEff: string | null;
  capPrm: string | null;
  capBnd: string | null;
  capAmb: string | null;
  noNewPrivs: boolean | null;
  /** 0 disabled, 1 strict, 2 filter; null when the kernel does not say (CONFIG_SECCOMP off) or the file was cut. */
  seccomp: 0 | 1 | 2 | null;
  seccompFilters: number | null;
}

const HEX = /^[0-9a-f]{1,16}$/i;

/**
 * Parses /proc/<pid>/status. Unknown, missing or malformed fields become null; it never throws. Each kept field
 * is found by searching for its line (the file has ~55 lines, a dozen are kept): splitting and slicing every line
 * cost 16 us a file, and a scan at 250 sandboxes parses over a thousand. The kernel prints
 * each key once (only Name carries process-chosen text, and the kernel escapes its newlines); a repeated key in a
 * file that is not the kernel's keeps its first value.
 */
export function parseProcStatus(text: string): ProcStatus {
  const field = (key: string): string | null => fieldOf(text, key);
  const noNewPrivs = field('NoNewPrivs');
  return {
    name: field('Name'),
    uids: integers(field('Uid')),
    ppid: integer(field('PPid')),
    nspid: integers(field('NSpid')),
    threads: integer(field('Threads')),
    capEff: hex(field('CapEff')),
    capPrm: hex(field('CapPrm')),
    capBnd: hex(field('CapBnd')),
    capAmb: hex(field('CapAmb')),
    noNewPrivs: noNewPrivs === '1' ? true : noNewPrivs === '0' ? false : null,
    seccomp: seccompOf(field('Seccomp')),
    seccompFilters: integer(field('Seccomp_filters')),
  };
}

function integer(value: string | null): number | null {
  if (value === null || !/^\d{1,15}$/.test(value)) return null;
  return Number(value);
}

function integers(value: string | null): number[] {
  const out: number[] = [];
  if (value === null) return out;
  for (const part of value.split(/\s+/)) {
    const n = integer(part);
    if (n !== null) out.push(n);
  }
  return out;
}

function hex(value: string | null): string | null {
  return value !== null && HEX.test(value) ? value.toLowerCase().padStart(16, '0') : null;
}

/**
 * Only Name and Seccomp from a task/<tid>/status: a VMM has dozens of threads, and a full parse of each was a
 * visible share of a large scan. Same answers as parseProcStatus for these two fields.
 */
export function parseThreadStatus(text: string): { name: string | null; seccomp: 0 | 1 | 2 | null } {
  return { name: fieldOf(text, 'Name'), seccomp: seccompOf(fieldOf(text, 'Seccomp')) };
}

function fieldOf(text: string, key: string): string | null {
  const prefix = `${key}:`;
  let start: number;
  if (text.startsWith(prefix)) {
    start = prefix.length;
  } else {
    const at = text.indexOf(`\n${prefix}`);
    if (at === -1) return null;
    start = at + 1 + prefix.length;
  }
  const end = text.indexOf('\n', start);
  return text.slice(start, end === -1 ? undefined : end).trim();
}

function seccompOf(value: string | null): 0 | 1 | 2 | null {
  return value === '0' ? 0 : value === '1' ? 1 : value === '2' ? 2 : null;
}
