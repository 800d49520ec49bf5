import type { ScanError, ScanErrorCode } from '../model/report.js';

/** Bound on listed errors: a hostile host must not be able to grow the report without limit. */
export const MAX_LISTED_ERRORS = 500;

/**
 * Collects what went wrong during one scan. Nothing in the scan throws because the host is odd: every
 * reader records here and returns undefined, and the scan goes on.
 */
export class ScanErrorLog {
  readonly entries: ScanError[] = [];
  /** Errors per stage, including those beyond MAX_LISTED_ERRORS (they are counted, not listed). */
  readonly countsByStage = new Map<string, number>();
  private dropped = 0;

  add(stage: string, path: string | null, code: ScanErrorCode, message: string): void {
    this.countsByStage.set(stage, (this.countsByStage.get(stage) ?? 0) + 1);
    if (this.entries.length >= MAX_LISTED_ERRORS) {
      this.dropped++;
      return;
    }
    this.entries.push({ stage, path, code, message });
  }

  /** The listed errors, plus one E_LIMIT entry when some were only counted. */
  toList(): ScanError[] {
    if (this.dropped === 0) return [...this.entries];
    return [...this.entries, { stage: 'scan', path: null, code: 'E_LIMIT', message: `${this.dropped} further errors were counted but not listed` }];
  }
}

/** Maps a Node.js system error to a stable scan error code. */
export function codeOfSystemError(error: unknown): ScanErrorCode {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'E_ACCESS';
    case 'ENOENT':
    case 'ESRCH':
    case 'ENOTDIR':
      return 'E_MISSING';
    default:
      return 'E_IO';
  }
}

