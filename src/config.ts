// Flags and environment -> one typed command. Parsing only: no I/O beyond resolving the example host path.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import parseDuration from 'parse-duration';
import { messageOf, UsageError } from './errors.js';
import { bundleTemplateProblem, DEFAULT_BUNDLE_DIRS } from './discover/bundle-dirs.js';
import { DEFAULT_ROOTS, type HostRoots } from './host/host-view.js';
import { SEVERITIES, type Severity } from './model/report.js';
import type { ScanConfig } from './scan-config.js';

export const DEFAULT_PORT = 9873;
export const DEFAULT_LISTEN_ADDRESS = `:${DEFAULT_PORT}`;
export const DEFAULT_MAX_SANDBOXES = 500;

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'logfmt' | 'json';

export interface ScanCommand {
  command: 'scan';
  scan: ScanConfig;
  example: boolean;
  format: 'table' | 'json';
  failOn: Severity | null;
  /** --wide: the table without truncation (full names, evidence, remediation). */
  wide: boolean;
  /** --policy.file: acknowledgements (docs/policy.md). */
  policyFile: string | null;
}

/** `kata-audit policy check FILE`: validate offline, then show what each entry matches on this node. */
export interface PolicyCheckCommand {
  command: 'policy-check';
  file: string;
  scan: ScanConfig;
  example: boolean;
}

export interface ExplainCommand {
  command: 'explain';
  /** As typed; the catalogue lookup (and its usage error) is the command's. */
  ruleId: string;
}

export interface RulesCommand {
  command: 'rules';
  format: 'table' | 'json' | 'markdown';
}

export interface ServeCommand {
  command: 'serve';
  scan: ScanConfig;
  example: boolean;
  listenAddresses: string[];
  telemetryPath: string;
  webConfigFile: string | null;
  /** --policy.file, reloaded on change. */
  policyFile: string | null;
  minIntervalMs: number;
  /** Open connections one remote address may hold (--web.max-connections-per-client). */
  maxConnectionsPerClient: number;
  textfile: string | null;
  perSandbox: boolean;
  log: { level: LogLevel; format: LogFormat };
}

export interface InfoCommand {
  command: 'help' | 'version';
}

export type Command = ScanCommand | RulesCommand | ServeCommand | ExplainCommand | PolicyCheckCommand | InfoCommand;

type Options = NonNullable<ParseArgsConfig['options']>;

const SCAN_SOURCE_OPTIONS = {
  'path.procfs': { type: 'string' },
  'path.sysfs': { type: 'string' },
  'path.rootfs': { type: 'string' },
  'host.reference-pid': { type: 'string' },
  'trust.exe-paths': { type: 'string', multiple: true },
  'trust.bundle-dirs': { type: 'string', multiple: true },
  'max-sandboxes': { type: 'string' },
  'policy.file': { type: 'string' },
  example: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} satisfies Options;

const SCAN_OPTIONS = {
  ...SCAN_SOURCE_OPTIONS,
  format: { type: 'string' },
  'fail-on': { type: 'string' },
  wide: { type: 'boolean' },
} satisfies Options;

const SERVE_OPTIONS = {
  ...SCAN_SOURCE_OPTIONS,
  'web.listen-address': { type: 'string', multiple: true },
  'web.telemetry-path': { type: 'string' },
  'web.config.file': { type: 'string' },
  'scan.min-interval': { type: 'string' },
  'web.max-connections-per-client': { type: 'string' },
  'output.textfile': { type: 'string' },
  'metrics.per-sandbox': { type: 'string' },
  'log.level': { type: 'string' },
  'log.format': { type: 'string' },
} satisfies Options;

const RULES_OPTIONS = {
  format: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} satisfies Options;

/** Flags that read as booleans but take a value (`--metrics.per-sandbox=false`); bare means true. */
const BOOLEAN_VALUE_FLAGS = new Set(['--metrics.per-sandbox']);

export function parseCommandLine(argv: readonly string[]): Command {
  const first = argv[0];
  if (first === '--version' || first === '-v' || first === 'version') return { command: 'version' };
  if (first === '--help' || first === '-h' || first === 'help') return { command: 'help' };

  const explicit = first !== undefined && !first.startsWith('-');
  const name = explicit ? first : 'serve';
  const rest = explicit ? argv.slice(1) : argv;
  switch (name) {
    case 'scan':
      return parseScan(rest);
    case 'serve':
      return parseServe(rest);
    case 'rules':
      return parseRules(rest);
    case 'explain':
      return parseExplain(rest);
    case 'policy':
      return parsePolicy(rest);
    default:
      throw new UsageError(`unknown command "${name}" (expected scan, serve, rules, explain, policy or version)`, name);
  }
}

function parseScan(args: readonly string[]): ScanCommand | InfoCommand {
  const values = parseFlags(args, SCAN_OPTIONS, 'scan');
  if (values.help) return { command: 'help' };
  return {
    command: 'scan',
    scan: scanConfigFrom(values),
    example: values.example === true,
    format: oneOf('--format', values.format, ['table', 'json'] as const, 'table'),
    failOn: values['fail-on'] === undefined ? null : oneOf('--fail-on', values['fail-on'], SEVERITIES, 'critical'),
    wide: values.wide === true,
    policyFile: nonEmpty('--policy.file', values['policy.file']) ?? null,
  };
}

/** `policy check FILE [scan flags]`: the scan flags say which node the entries are tried on. */
function parsePolicy(args: readonly string[]): PolicyCheckCommand | InfoCommand {
  const [sub, ...rest] = args;
  if (sub === '--help' || sub === '-h') return { command: 'help' };
  if (sub !== 'check') throw new UsageError('policy takes the subcommand check: kata-audit policy check FILE', 'policy');
  let parsed;
  try {
    parsed = parseArgs({ args: [...rest], options: SCAN_SOURCE_OPTIONS, strict: true, allowPositionals: true });
  } catch (error) {
    const flag = /'(-{1,2}[^' ]+)/.exec(messageOf(error))?.[1];
    throw new UsageError(messageOf(error), flag, { cause: error });
  }
  const values = parsed.values;
  if (values.help) return { command: 'help' };
  if (values['policy.file'] !== undefined) throw new UsageError('policy check takes the file as its argument, not --policy.file', '--policy.file');
  const [file, ...extra] = parsed.positionals;
  if (file === undefined || extra.length > 0) throw new UsageError('policy check takes exactly one file: kata-audit policy check FILE', 'policy');
  return { command: 'policy-check', file, scan: scanConfigFrom(values), example: values.example === true };
}

function parseServe(args: readonly string[]): ServeCommand | InfoCommand {
  const values = parseFlags(args, SERVE_OPTIONS, 'serve');
  if (values.help) return { command: 'help' };
  const telemetryPath = values['web.telemetry-path'] ?? '/metrics';
  if (!telemetryPath.startsWith('/') || telemetryPath.length < 2) {
    throw new UsageError(`--web.telemetry-path must be an absolute path other than "/", got "${telemetryPath}"`, '--web.telemetry-path');
  }
  const listenAddresses = values['web.listen-address'] ?? [DEFAULT_LISTEN_ADDRESS];
  for (const address of listenAddresses) parseListenAddress(address);
  return {
    command: 'serve',
    scan: scanConfigFrom(values),
    example: values.example === true,
    listenAddresses,
    telemetryPath,
    webConfigFile: values['web.config.file'] ?? null,
    policyFile: nonEmpty('--policy.file', values['policy.file']) ?? null,
    minIntervalMs: durationMs('--scan.min-interval', values['scan.min-interval'] ?? '5s'),
    maxConnectionsPerClient: positiveInteger('--web.max-connections-per-client', values['web.max-connections-per-client'], 16),
    textfile: values['output.textfile'] ?? null,
    perSandbox: booleanValue('--metrics.per-sandbox', values['metrics.per-sandbox'] ?? 'true'),
    log: {
      level: oneOf('--log.level', values['log.level'], ['debug', 'info', 'warn', 'error'] as const, 'info'),
      format: oneOf('--log.format', values['log.format'], ['logfmt', 'json'] as const, 'logfmt'),
    },
  };
}

function parseRules(args: readonly string[]): RulesCommand | InfoCommand {
  const values = parseFlags(args, RULES_OPTIONS, 'rules');
  if (values.help) return { command: 'help' };
  return { command: 'rules', format: oneOf('--format', values.format, ['table', 'json', 'markdown'] as const, 'table') };
}

function parseExplain(args: readonly string[]): ExplainCommand | InfoCommand {
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options: { help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: true });
  } catch (error) {
    const flag = /'(-{1,2}[^' ]+)/.exec(messageOf(error))?.[1];
    throw new UsageError(messageOf(error), flag, { cause: error });
  }
  if (parsed.values.help) return { command: 'help' };
  const [ruleId, ...extra] = parsed.positionals;
  if (ruleId === undefined || extra.length > 0) throw new UsageError('explain takes exactly one rule id, e.g. kata-audit explain KATA-NET-001', 'explain');
  return { command: 'explain', ruleId };
}

type SourceValues = {
  'path.procfs'?: string;
  'path.sysfs'?: string;
  'path.rootfs'?: string;
  'host.reference-pid'?: string;
  'trust.exe-paths'?: string[];
  'trust.bundle-dirs'?: string[];
  'max-sandboxes'?: string;
};

function scanConfigFrom(values: SourceValues): ScanConfig {
  const roots: HostRoots = {
    procfs: nonEmpty('--path.procfs', values['path.procfs']) ?? DEFAULT_ROOTS.procfs,
    sysfs: nonEmpty('--path.sysfs', values['path.sysfs']) ?? DEFAULT_ROOTS.sysfs,
    rootfs: nonEmpty('--path.rootfs', values['path.rootfs']) ?? DEFAULT_ROOTS.rootfs,
  };
  const trustExePaths = (values['trust.exe-paths'] ?? [])
    .flatMap((value) => value.split(','))
    .map((glob) => glob.trim())
    .filter((glob) => glob.length > 0);
  for (const glob of trustExePaths) {
    if (!glob.startsWith('/')) throw new UsageError(`--trust.exe-paths takes absolute path globs, got "${glob}"`, '--trust.exe-paths');
  }
  const bundleDirs = bundleDirsFrom(values['trust.bundle-dirs']);
  return {
    roots,
    referencePid: positiveInteger('--host.reference-pid', values['host.reference-pid'], 1),
    trustExePaths,
    bundleDirs,
    maxSandboxes: positiveInteger('--max-sandboxes', values['max-sandboxes'], DEFAULT_MAX_SANDBOXES),
    fixtureRoots: false,
  };
}

/** --trust.bundle-dirs replaces the defaults (a node with containerd's state elsewhere names its own). */
function bundleDirsFrom(values: string[] | undefined): string[] {
  const templates = (values ?? []).flatMap((value) => value.split(',')).map((t) => t.trim()).filter((t) => t.length > 0);
  for (const template of templates) {
    const problem = bundleTemplateProblem(template);
    if (problem) throw new UsageError(`--trust.bundle-dirs "${template}" ${problem}`, '--trust.bundle-dirs');
  }
  return templates.length > 0 ? templates : [...DEFAULT_BUNDLE_DIRS];
}

/** Each command's flags, so that a flag given to the wrong command is named as such, not as unknown. */
const OPTIONS_BY_COMMAND = { scan: SCAN_OPTIONS, serve: SERVE_OPTIONS, rules: RULES_OPTIONS } as const;
type FlagCommand = keyof typeof OPTIONS_BY_COMMAND;

function parseFlags<T extends Options>(args: readonly string[], options: T, command: FlagCommand) {
  const normalised = args.map((arg) => (BOOLEAN_VALUE_FLAGS.has(arg) ? `${arg}=true` : arg));
  try {
    return parseArgs({ args: normalised, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    const message = messageOf(error);
    const flag = /'(-{1,2}[^' ]+)/.exec(message)?.[1];
    const elsewhere = flag === undefined ? undefined : wrongCommandMessage(flag, command);
    throw new UsageError(elsewhere ?? message.replace(/\. To specify a positional argument.*$/s, ''), flag, { cause: error });
  }
}

/** "--web.listen-address is only for serve" when `flag` belongs to other commands and not to `command`. */
export function wrongCommandMessage(flag: string, command: FlagCommand): string | undefined {
  if (!flag.startsWith('--')) return undefined;
  const name = flag.slice(2);
  if (Object.hasOwn(OPTIONS_BY_COMMAND[command], name)) return undefined;
  const owners = (Object.keys(OPTIONS_BY_COMMAND) as FlagCommand[]).filter((other) => Object.hasOwn(OPTIONS_BY_COMMAND[other], name));
  if (owners.length === 0) return undefined;
  return `${flag} is only for ${owners.join(' and ')}, not for ${command} (kata-audit ${owners[0]} ${flag} ...)`;
}

function oneOf<const T extends string>(flag: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${flag} must be one of ${allowed.join(', ')}; got "${value}"`, flag);
}

function nonEmpty(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '') throw new UsageError(`${flag} must not be empty`, flag);
  return value;
}

function positiveInteger(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d{1,9}$/.test(value) || Number(value) < 1) throw new UsageError(`${flag} must be a positive integer; got "${value}"`, flag);
  return Number(value);
}

function booleanValue(flag: string, value: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new UsageError(`${flag} must be true or false; got "${value}"`, flag);
}

function durationMs(flag: string, value: string): number {
  // Prometheus-style durations ("5s", "1m30s", "500ms"); a bare number would be ambiguous, so it is refused.
  const ms = /^(\d+(ms|s|m|h))+$/.test(value) ? parseDuration(value) : null;
  if (ms === null || ms === undefined || !Number.isFinite(ms)) {
    throw new UsageError(`${flag} must be a duration such as 5s, 30s or 1m; got "${value}"`, flag);
  }
  return ms;
}

/** ":9873" -> {host: undefined, port: 9873}; "127.0.0.1:9873"; "[::1]:9873". */
export function parseListenAddress(address: string): { host: string | undefined; port: number } {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(address);
  const port = Number(match?.[3]);
  if (!match || port > 65535) {
    throw new UsageError(`--web.listen-address must be host:port, :port or [ipv6]:port; got "${address}"`, '--web.listen-address');
  }
  const host = match[1] ?? (match[2] || undefined);
  return { host, port };
}
