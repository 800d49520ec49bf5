/**
 * One QEMU option value in QemuOpts syntax: `first,key=val,flag,key2=a,,b`.
 * - The first element without `=` is the option's implied value (the driver of -device, the type of -netdev
 *   and -machine, the size of -m, the cpu count of -smp, the guest name of -name).
 * - `,,` is a literal comma inside a value (QEMU's only escape), so `path=/run/a,,b` is the path "/run/a,b".
 * - A later element without `=` is a flag and reads "on" (`server`, `nowait`, `kernel_irqchip`). We keep the
 *   word as written; QEMU's legacy `noX` meaning X=off is left to the caller that knows the option.
 * - A repeated key keeps its last value, as QemuOpts lookups do.
 * Since QEMU 6.2, -device, -object and -netdev (7.0) also accept JSON; those are flattened to the same shape.
 */
export interface QemuOptionValue {
  implied: string | null;
  props: Map<string, string>;
}

/**
 * JSON values longer than this are not parsed: argv is written by the process, and no QEMU object Kata writes
 * comes near it (the TDX object with a quote-generation socket and an mrconfigid is under 300 bytes).
 */
export const MAX_JSON_OPTION_LENGTH = 16 * 1024;

export function parseQemuOptionValue(value: string): QemuOptionValue {
  if (value.startsWith('{')) {
    if (value.length > MAX_JSON_OPTION_LENGTH) return { implied: null, props: new Map() };
    const json = parseJsonOptions(value);
    if (json) return json;
  }
  const props = new Map<string, string>();
  let implied: string | null = null;
  const elements = splitElements(value);
  elements.forEach((element, index) => {
    if (element === '') return;
    const eq = element.indexOf('=');
    if (eq === -1) {
      if (index === 0) implied = element;
      else props.set(element, 'on');
      return;
    }
    props.set(element.slice(0, eq), element.slice(eq + 1));
  });
  return { implied, props };
}

/**
 * Splits on single commas; `,,` becomes a literal comma and stays inside the element. Scans with indexOf and
 * slices: building an element a character at a time was quadratic in V8 on the 128 KiB values a process may
 * put in its argv.
 */
function splitElements(value: string): string[] {
  const elements: string[] = [];
  let pieces: string[] = [];
  let start = 0;
  for (let comma = value.indexOf(','); comma !== -1; comma = value.indexOf(',', start)) {
    if (value[comma + 1] === ',') {
      pieces.push(value.slice(start, comma + 1));
      start = comma + 2;
      continue;
    }
    pieces.push(value.slice(start, comma));
    elements.push(pieces.join(''));
    pieces = [];
    start = comma + 1;
  }
  pieces.push(value.slice(start));
  elements.push(pieces.join(''));
  return elements;
}

/** Top-level scalars only: nested objects (blockdev `file: {...}`) carry nothing the inventory needs. */
function parseJsonOptions(value: string): QemuOptionValue | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  const props = new Map<string, string>();
  for (const [key, raw] of Object.entries(parsed)) {
    if (typeof raw === 'string') props.set(key, raw);
    else if (typeof raw === 'number') props.set(key, String(raw));
    else if (typeof raw === 'boolean') props.set(key, raw ? 'on' : 'off');
  }
  return { implied: null, props };
}

const TRUE_WORDS = new Set(['on', 'yes', 'true', 'y']);
const FALSE_WORDS = new Set(['off', 'no', 'false', 'n']);

/** QEMU's boolean words; undefined for anything else (QEMU would have refused to start). */
export function qemuBool(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  const lower = value.toLowerCase();
  if (TRUE_WORDS.has(lower)) return true;
  if (FALSE_WORDS.has(lower)) return false;
  return undefined;
}

const SIZE_UNITS: Record<string, number> = {
  b: 1,
  k: 2 ** 10,
  m: 2 ** 20,
  g: 2 ** 30,
  t: 2 ** 40,
  p: 2 ** 50,
  e: 2 ** 60,
};

/**
 * A QEMU size ("2048M", "2G", "8192", "1.5G") in bytes, or null when it does not parse. `defaultUnit` is the
 * unit of a bare number: MiB for the `-m` size (QEMU appends "M"), bytes everywhere else (maxmem, cache-size).
 */
export function parseQemuSize(value: string | undefined | null, defaultUnit: 'b' | 'm' = 'b'): number | null {
  if (value === undefined || value === null) return null;
  const match = /^(\d+(?:\.\d+)?)([bkmgtpe])?$/i.exec(value);
  if (!match) return null;
  const unit = (match[2] ?? defaultUnit).toLowerCase();
  const factor = SIZE_UNITS[unit];
  if (factor === undefined) return null;
  const bytes = Number(match[1]) * factor;
  return Number.isFinite(bytes) ? Math.round(bytes) : null;
}

/**
 * The numbers in an fd list as QEMU writes them: `5`, `5:7` (vhostfds/fds), ignoring named fds (`fd=myfd`
 * refers to one passed over QMP getfd, not an inherited number).
 */
export function fdNumbers(value: string | undefined): number[] {
  if (value === undefined) return [];
  const numbers: number[] = [];
  for (const part of value.split(':')) {
    if (/^\d{1,9}$/.test(part)) numbers.push(Number(part));
  }
  return numbers;
}
