// `expires`: a date (the entry holds through the end of that day, UTC) or an RFC 3339 time with its offset.
// Anything else is refused rather than guessed at: "03/04/2027" means two different days on two continents.

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface Expiry {
  /** First instant at which the entry no longer holds. */
  atMs: number;
  /** RFC 3339 in UTC, for reports: the last second it holds for a date, the instant itself for a time. */
  text: string;
}

/** The expiry, or a reason it is not one. */
export function parseExpiry(value: string): Expiry | string {
  const date = DATE.exec(value);
  if (date) {
    const start = utcDay(Number(date[1]), Number(date[2]), Number(date[3]));
    if (start === null) return `"${value}" is not a calendar date`;
    return { atMs: start + DAY_MS, text: `${value}T23:59:59Z` };
  }
  const time = RFC3339.exec(value);
  if (!time) return `"${value}" is neither a date (2027-03-31) nor an RFC 3339 time (2027-03-31T18:00:00+02:00)`;
  const [, y, mo, d, h, mi, s] = time.map(Number) as number[];
  if (utcDay(y!, mo!, d!) === null || h! > 23 || mi! > 59 || s! > 59) return `"${value}" is not a valid time`;
  const offset = time[8]!;
  if (!/^[Zz]$/.test(offset) && (Number(offset.slice(1, 3)) > 23 || Number(offset.slice(4, 6)) > 59)) return `"${value}" has an invalid offset`;
  const atMs = Date.parse(value.toUpperCase());
  if (!Number.isFinite(atMs)) return `"${value}" is not a valid time`;
  return { atMs, text: new Date(atMs).toISOString().replace(/\.000Z$/, 'Z') };
}

function utcDay(year: number, month: number, day: number): number | null {
  const ms = Date.UTC(year, month - 1, day);
  const back = new Date(ms);
  if (year < 1970 || back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) return null;
  return ms;
}
