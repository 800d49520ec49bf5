import path from 'node:path';
import { sandboxIdFromPath } from '../model/sandbox-id.js';
import { followingValue, notAnOption, splitLongOption } from './long-options.js';

export type VirtiofsdSandbox = 'namespace' | 'chroot' | 'none';
export type VirtiofsdSeccomp = 'none' | 'kill' | 'log' | 'trap';

export interface VirtiofsdArgs {
  implementation: 'c' | 'rust' | 'unknown';
  /** Why: the Rust-only flag or the exe path that decided it, for evidence. */
  implementationReason: string;
  sharedDir: string | null;
  socketPath: string | null;
  /** `--fd=N`: the Go runtime passes the listening socket as fd 3, so no socket path is in argv. */
  fd: number | null;
  /** Effective cache policy: as given, else 'auto' (the default of both implementations). */
  cache: string;
  /** Whether `cache` was given (false means the 'auto' default). */
  cacheExplicit: boolean;
  /** As asked, default 'namespace' for both; null for a value virtiofsd would not accept. */
  declaredSandbox: VirtiofsdSandbox | null;
  /** Rust: --seccomp, default 'kill'. C has no switch: its filter is always on, which reads 'kill'. */
  declaredSeccomp: VirtiofsdSeccomp | null;
  threadPoolSize: number | null;
  xattr: boolean;
  modcaps: string | null;
  announceSubmounts: boolean;
  /** Rust `--inode-file-handles`: null when not given (version-dependent default). */
  inodeFileHandles: string | null;
  readonly: boolean;
  allowDirectIo: boolean;
  syslog: boolean;
  debug: boolean;
  rlimitNofile: number | null;
  /** From the shared dir (/run/kata-containers/shared/sandboxes/<id>/…) or the socket path. */
  sandboxId: string | null;
  /** Options this parser does not know (bounded), for evidence. */
  unknownOptions: string[];
}

/** Long options only the Rust virtiofsd has: one of them settles the implementation. */
const RUST_ONLY: ReadonlySet<string> = new Set([
  'shared-dir', 'sandbox', 'seccomp', 'xattr', 'announce-submounts', 'no-announce-submounts', 'inode-file-handles',
  'modcaps', 'readonly', 'allow-direct-io', 'allow-mmap', 'posix-acl', 'security-label', 'xattrmap', 'log-level',
  'tag', 'uid-map', 'gid-map', 'translate-uid', 'translate-gid', 'socket', 'writeback', 'killpriv-v2',
  'no-killpriv-v2', 'preserve-noatime', 'migration-mode', 'migration-on-error', 'migration-verify-handles',
  'migration-confirm-paths', 'no-readdirplus',
]);

const LONG_WITH_VALUE: ReadonlySet<string> = new Set([
  'shared-dir', 'socket-path', 'socket', 'socket-group', 'fd', 'tag', 'thread-pool-size', 'cache', 'sandbox', 'seccomp',
  'inode-file-handles', 'modcaps', 'xattrmap', 'log-level', 'rlimit-nofile', 'uid-map', 'gid-map', 'translate-uid',
  'translate-gid', 'migration-mode', 'migration-on-error',
]);

const LONG_FLAGS: ReadonlySet<string> = new Set([
  'xattr', 'posix-acl', 'security-label', 'announce-submounts', 'no-announce-submounts', 'readonly', 'allow-mmap',
  'writeback', 'allow-direct-io', 'syslog', 'killpriv-v2', 'no-killpriv-v2', 'print-capabilities', 'daemonize',
  'preserve-noatime', 'no-readdirplus', 'migration-verify-handles', 'migration-confirm-paths', 'version', 'help',
]);

/** Where Kata and distributions install each implementation. /usr/libexec/virtiofsd is C on older distros and Rust on newer ones: no hint. */
const EXE_HINTS: ReadonlyMap<string, 'c' | 'rust'> = new Map([
  ['/opt/kata/libexec/kata-qemu/virtiofsd', 'c'],
  ['/usr/libexec/kata-qemu/virtiofsd', 'c'],
  ['/usr/lib/qemu/virtiofsd', 'c'],
  ['/opt/kata/bin/virtiofsd', 'c'],
  ['/opt/kata/libexec/virtiofsd', 'rust'],
]);

/** `-o` options only QEMU's C daemon accepted. */
const C_ONLY_COMPAT: ReadonlySet<string> = new Set(['vhost_user_socket', 'norace', 'timeout']);

const SANDBOXES: ReadonlySet<string> = new Set(['namespace', 'chroot', 'none']);
const SECCOMPS: ReadonlySet<string> = new Set(['none', 'kill', 'log', 'trap']);
const MAX_UNKNOWN = 32;

/**
 * Both syntaxes write the same setting names, so the last argument wins whichever spelling it used.
 * Value `null` in the table means "the option's own value"; a string is the value a flag stands for.
 */
const CANONICAL: ReadonlyMap<string, [setting: string, value: string | null]> = new Map([
  ['--shared-dir', ['sharedDir', null]], ['o:source', ['sharedDir', null]],
  ['--socket-path', ['socketPath', null]], ['--socket', ['socketPath', null]], ['o:vhost_user_socket', ['socketPath', null]],
  ['--fd', ['fd', null]],
  ['--cache', ['cache', null]], ['o:cache', ['cache', null]],
  ['--sandbox', ['sandbox', null]], ['o:sandbox', ['sandbox', null]],
  ['--seccomp', ['seccomp', null]],
  ['--thread-pool-size', ['threadPoolSize', null]],
  ['--xattr', ['xattr', 'on']], ['o:xattr', ['xattr', 'on']], ['o:no_xattr', ['xattr', 'off']],
  ['--modcaps', ['modcaps', null]], ['o:modcaps', ['modcaps', null]],
  ['--announce-submounts', ['announceSubmounts', 'on']], ['o:announce_submounts', ['announceSubmounts', 'on']],
  ['--no-announce-submounts', ['announceSubmounts', 'off']],
  ['--inode-file-handles', ['inodeFileHandles', null]],
  ['--readonly', ['readonly', 'on']],
  ['--allow-direct-io', ['allowDirectIo', 'on']], ['o:allow_direct_io', ['allowDirectIo', 'on']],
  ['o:no_allow_direct_io', ['allowDirectIo', 'off']],
  ['--syslog', ['syslog', 'on']],
  ['-d', ['logLevel', 'debug']], ['o:debug', ['logLevel', 'debug']],
  ['--log-level', ['logLevel', null]], ['o:log_level', ['logLevel', null]], ['o:loglevel', ['logLevel', null]],
  ['--rlimit-nofile', ['rlimitNofile', null]],
]);

interface Collected {
  settings: Map<string, string>;
  rustFlag: string | null;
  cMarker: string | null;
  unknown: string[];
}

function collect(argv: readonly string[]): Collected {
  const settings = new Map<string, string>();
  let rustFlag: string | null = null;
  let cMarker: string | null = null;
  const unknown: string[] = [];
  const noteUnknown = (name: string): void => {
    if (unknown.length < MAX_UNKNOWN && !unknown.includes(name)) unknown.push(name);
  };
  const set = (spelling: string, value: string): void => {
    const canonical = CANONICAL.get(spelling);
    if (canonical) settings.set(canonical[0], canonical[1] ?? value);
  };
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '-o' || (arg.startsWith('-o') && !arg.startsWith('--'))) {
      const value = arg === '-o' ? argv[++i] : arg.slice(2);
      for (const element of (value ?? '').split(',')) {
        if (element === '') continue;
        const eq = element.indexOf('=');
        const key = eq === -1 ? element : element.slice(0, eq);
        const val = eq === -1 ? '' : element.slice(eq + 1);
        if (C_ONLY_COMPAT.has(key) || (key === 'cache' && val === 'none')) cMarker ??= `-o ${element}`;
        set(`o:${key}`, val);
      }
      continue;
    }
    const option = splitLongOption(arg);
    if (option !== null) {
      const name = option.name;
      let value = option.inline;
      if (value === null && LONG_WITH_VALUE.has(name)) {
        const next = followingValue(argv, i, notAnOption);
        if (next !== undefined) {
          value = next;
          i++;
        }
      }
      if (RUST_ONLY.has(name)) rustFlag ??= `--${name}`;
      if (name === 'daemonize') cMarker ??= '--daemonize';
      if (!LONG_WITH_VALUE.has(name) && !LONG_FLAGS.has(name)) noteUnknown(`--${name}`);
      set(`--${name}`, value ?? '');
      continue;
    }
    if (arg === '-f' || arg === '-d' || arg === '-s' || arg === '-V' || arg === '-h') {
      if (arg === '-s') cMarker ??= '-s';
      set(arg, '');
      continue;
    }
    if (arg.startsWith('-')) noteUnknown(arg);
  }
  return { settings, rustFlag, cMarker, unknown };
}

function implementationOf(collected: Collected, exe: string | null): Pick<VirtiofsdArgs, 'implementation' | 'implementationReason'> {
  if (collected.rustFlag !== null) return { implementation: 'rust', implementationReason: `flag ${collected.rustFlag}` };
  if (exe !== null) {
    const clean = path.posix.normalize(exe.endsWith(' (deleted)') ? exe.slice(0, -' (deleted)'.length) : exe);
    const hint = EXE_HINTS.get(clean);
    if (hint) return { implementation: hint, implementationReason: `exe ${clean}` };
  }
  if (collected.cMarker !== null) return { implementation: 'c', implementationReason: `option ${collected.cMarker}` };
  return { implementation: 'unknown', implementationReason: 'no implementation-specific option or known exe path' };
}

/**
 * Reads a virtiofsd command line in either syntax: QEMU's C daemon (`-o source=DIR,cache=auto --fd=3`),
 * the Rust daemon (`--shared-dir DIR --cache auto --sandbox namespace --seccomp kill`), and the Rust daemon's
 * `-o` compatibility options that Kata 2.5–3.1 and runtime-rs still pass. Rust-only flags beat the exe path
 * (a running daemon accepted them), the exe path beats the weaker C-only `-o` markers. Never throws.
 */
export function parseVirtiofsdArgs(argv: readonly string[], exe: string | null): VirtiofsdArgs {
  const collected = collect(argv);
  const get = (setting: string): string | undefined => collected.settings.get(setting);
  const on = (setting: string): boolean => get(setting) === 'on';
  const sharedDir = nonEmpty(get('sharedDir'));
  const socketPath = nonEmpty(get('socketPath'));
  const cache = nonEmpty(get('cache'));
  const sandbox = get('sandbox');
  const seccomp = get('seccomp');
  const inodeHandles = get('inodeFileHandles');
  return {
    ...implementationOf(collected, exe),
    sharedDir,
    socketPath,
    fd: toInt(get('fd')),
    cache: cache ?? 'auto',
    cacheExplicit: cache !== null,
    declaredSandbox: sandbox === undefined ? 'namespace' : SANDBOXES.has(sandbox) ? (sandbox as VirtiofsdSandbox) : null,
    declaredSeccomp: seccomp === undefined ? 'kill' : SECCOMPS.has(seccomp) ? (seccomp as VirtiofsdSeccomp) : null,
    threadPoolSize: toInt(get('threadPoolSize')),
    xattr: on('xattr'),
    modcaps: nonEmpty(get('modcaps')),
    announceSubmounts: on('announceSubmounts'),
    // Rust takes `--inode-file-handles` alone as `prefer`.
    inodeFileHandles: inodeHandles === undefined ? null : inodeHandles === '' ? 'prefer' : inodeHandles,
    readonly: on('readonly'),
    allowDirectIo: on('allowDirectIo'),
    syslog: on('syslog'),
    debug: get('logLevel') === 'debug',
    rlimitNofile: toInt(get('rlimitNofile')),
    sandboxId: (sharedDir ? sandboxIdFromPath(sharedDir) : null) ?? (socketPath ? sandboxIdFromPath(socketPath) : null),
    unknownOptions: collected.unknown,
  };
}

function nonEmpty(value: string | undefined): string | null {
  return value === undefined || value === '' ? null : value;
}

function toInt(value: string | undefined): number | null {
  return value !== undefined && /^\d{1,9}$/.test(value) ? Number(value) : null;
}
