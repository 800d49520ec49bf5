// A tiny structured logger: level filtering, logfmt or JSON lines on stderr (ts, level, msg, then fields).
//
// Why not pino: the need here is ~40 lines (a handful of startup and error lines, a few per minute at most).
// pino's value is throughput through an async worker; its logfmt output needs a transport, which means a
// worker thread and a second package for a format node_exporter users expect by default. A synchronous write
// to stderr also keeps the last line before an exit (SIGTERM, a fatal startup error) instead of losing it in
// a transport's buffer.
import type { LogFormat, LogLevel } from './config.js';
import { terminalSafeJson } from './render/safe-text.js';

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line (e.g. {component: "web"}). */
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  level: LogLevel;
  format: LogFormat;
  /** Where a finished line goes (without newline handling: the line ends with "\n"). Defaults to stderr. */
  write?: (line: string) => void;
  now?: () => Date;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function createLogger(options: LoggerOptions, bound: LogFields = {}): Logger {
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const now = options.now ?? (() => new Date());
  const threshold = RANK[options.level];
  const emit = (level: LogLevel, msg: string, fields?: LogFields): void => {
    if (RANK[level] < threshold) return;
    const record: LogFields = { ts: now().toISOString(), level, msg, ...bound, ...fields };
    // Log lines end up on terminals (journalctl, kubectl logs): JSON lines get DEL, C1 and bidi characters
    // escaped as well, which JSON.stringify leaves raw (the parsed value is the same).
    write(options.format === 'json' ? `${terminalSafeJson(JSON.stringify(record, jsonValue))}\n` : `${logfmtLine(record)}\n`);
  };
  return {
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
    child: (fields) => createLogger(options, { ...bound, ...fields }),
  };
}

/** A logger that drops everything (tests that do not look at logs). */
export const silentLogger: Logger = createLogger({ level: 'error', format: 'logfmt', write: () => {} });

function jsonValue(_key: string, value: unknown): unknown {
  if (value instanceof Error) return value.message;
  if (typeof value === 'bigint') return value.toString();
  return value;
}

function logfmtLine(record: LogFields): string {
  return Object.entries(record)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${logfmtKey(key)}=${logfmtValue(value)}`)
    .join(' ');
}

function logfmtKey(key: string): string {
  // Keys come from code, but a stray space or "=" would make the line unparsable.
  return key.replace(/[^A-Za-z0-9_.-]/g, '_') || '_';
}

function logfmtValue(value: unknown): string {
  let text: string;
  if (value instanceof Error) text = value.message;
  else if (value === null) text = 'null';
  else if (Array.isArray(value)) text = value.map(String).join(',');
  else if (typeof value === 'object') text = JSON.stringify(value, jsonValue);
  else text = String(value);
  // Quote when the value would otherwise split the line; control characters are escaped so that a hostile
  // string (a path from the host) cannot forge a second log line, and bidi controls so that it cannot reorder one.
  if (text !== '' && !/[\s"=\\\p{Cc}\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u.test(text)) return text;
  return `"${text.replace(/[\\"\p{Cc}\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu, escapeChar)}"`;
}

function escapeChar(char: string): string {
  switch (char) {
    case '\\': return '\\\\';
    case '"': return '\\"';
    case '\n': return '\\n';
    case '\r': return '\\r';
    case '\t': return '\\t';
    default: return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
  }
}
