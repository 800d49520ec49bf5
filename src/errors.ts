// Error classes with stable codes (the got/ky way): callers branch on `code`, never on message text.
// Scan problems are not thrown at all: they become ScanError entries in the report (see model/report.ts).

const BRAND = Symbol.for('kata-audit.error');

/**
 * The message of anything a `catch` receives: an Error's message, or the thrown value as text (a library or a
 * test may throw a string). One helper so no call site reads `.message` off a value that may not have one.
 */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export type KataAuditErrorCode =
  | 'ERR_USAGE'
  | 'ERR_SCAN_UNAVAILABLE'
  | 'ERR_WEB_CONFIG'
  | 'ERR_STARTUP'
  | 'ERR_POLICY'
  | 'ERR_FIXTURE';

export class KataAuditError extends Error {
  readonly code: KataAuditErrorCode;
  readonly [BRAND] = true;

  constructor(code: KataAuditErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    Object.defineProperty(this, 'name', { value: new.target.name, enumerable: false });
  }

  /** Works across realms and duplicated module copies, unlike instanceof. */
  static is(value: unknown): value is KataAuditError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}

/** A bad flag or argument: exit code 2. `flag` names the offending flag so the message can point at it. */
export class UsageError extends KataAuditError {
  readonly flag: string | undefined;
  constructor(message: string, flag?: string, options?: { cause?: unknown }) {
    super('ERR_USAGE', message, options);
    this.flag = flag;
  }
}

/** The scan cannot run at all (e.g. the procfs root does not exist): exit code 3. */
export class ScanUnavailableError extends KataAuditError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_SCAN_UNAVAILABLE', message, options);
  }
}

/** The --web.config.file is missing, unparsable or inconsistent. */
export class WebConfigError extends KataAuditError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_WEB_CONFIG', message, options);
  }
}

/**
 * The agent cannot start serving (a --web.listen-address in use, not on this host, or a privileged port): exit
 * code 4, apart from 3, so that a supervisor or an operator can tell "fix the deployment" from "the host is
 * unreadable". `flag` names the flag to change.
 */
export class StartupError extends KataAuditError {
  readonly flag: string;
  constructor(message: string, flag: string, options?: { cause?: unknown }) {
    super('ERR_STARTUP', message, options);
    this.flag = flag;
  }
}

/**
 * The --policy.file is missing, unparsable or invalid. `line`/`column` (1-based) and `key` (a dotted path such
 * as acknowledgements[2].expires) point at the offending place; either may be null when the file as a whole
 * is at fault (unreadable, too large).
 */
export class PolicyError extends KataAuditError {
  readonly file: string;
  readonly line: number | null;
  readonly column: number | null;
  readonly key: string | null;
  constructor(file: string, where: { line: number | null; column: number | null; key: string | null }, reason: string, options?: { cause?: unknown }) {
    const at = where.line === null ? file : `${file}:${where.line}:${where.column ?? 1}`;
    super('ERR_POLICY', `${at}: ${where.key === null ? '' : `${where.key}: `}${reason}`, options);
    this.file = file;
    this.line = where.line;
    this.column = where.column;
    this.key = where.key;
  }
}

/** A fixture host description is malformed (tests, --example, benchmarks). */
export class FixtureError extends KataAuditError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_FIXTURE', message, options);
  }
}
