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

/** Parses /proc/<pid>/status. Unknown, missing or malformed fields become null; it never throws. */
export function parseProcStatus(text: string): ProcStatus {
  const status: ProcStatus = {
    name: null, uids: [], ppid: null, nspid: [], threads: null, capEff: null, capPrm: null, capBnd: null, capAmb: null,
    noNewPrivs: null, seccomp: null, seccompFilters: null,
  };
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon);
    const value = line.slice(colon + 1).trim();
    switch (key) {
      case 'Name': status.name = value; break;
      case 'Uid': status.uids = integers(value); break;
      case 'PPid': status.ppid = integer(value); break;
      case 'NSpid': status.nspid = integers(value); break;
      case 'Threads': status.threads = integer(value); break;
      case 'CapEff': status.capEff = hex(value); break;
      case 'CapPrm': status.capPrm = hex(value); break;
      case 'CapBnd': status.capBnd = hex(value); break;
      case 'CapAmb': status.capAmb = hex(value); break;
      case 'NoNewPrivs': status.noNewPrivs = value === '1' ? true : value === '0' ? false : null; break;
      case 'Seccomp': status.seccomp = value === '0' ? 0 : value === '1' ? 1 : value === '2' ? 2 : null; break;
      case 'Seccomp_filters': status.seccompFilters = integer(value); break;
      default: break;
    }
  }
  return status;
}

function integer(value: string): number | null {
  if (!/^\d{1,15}$/.test(value)) return null;
  return Number(value);
}

function integers(value: string): number[] {
  const out: number[] = [];
  for (const part of value.split(/\s+/)) {
    const n = integer(part);
    if (n !== null) out.push(n);
  }
  return out;
}

function hex(value: string): string | null {
  return HEX.test(value) ? value.toLowerCase().padStart(16, '0') : null;
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
