import { stripDeleted } from '../host/proc/exe-link.js';
import path from 'node:path';
import type { Device } from '../model/report.js';
import { isValidSandboxId } from '../model/sandbox-id.js';
import { messageOf } from '../errors.js';
import { appendValue, followingValue, notALongOption, splitLongOption } from './long-options.js';

export interface FirecrackerArgs {
  /** `--id`: Kata's Go runtime passes the sandbox id cut to 32 characters, runtime-rs the whole id. */
  id: string | null;
  apiSock: string | null;
  noApi: boolean;
  /** As Firecracker sees it: inside the jail when jailed (`/fcConfig.json`). */
  configFile: string | null;
  noSeccomp: boolean;
  seccompFilter: string | null;
  /** Firecracker before v1.0: 0 = no filter, 1 = syscall numbers only, 2 = with arguments. */
  seccompLevel: number | null;
  /** Whether Firecracker installs its seccomp filters: off with --no-seccomp or --seccomp-level 0. */
  seccompDeclared: boolean;
  /** Every long option as written (flags read "true"), for evidence. */
  options: Record<string, string>;
}

export interface JailerArgs {
  id: string | null;
  execFile: string | null;
  uid: number | null;
  gid: number | null;
  /** `--chroot-base-dir`, default /srv/jailer (Kata passes /run/vc or /run/kata). */
  chrootBaseDir: string;
  netns: string | null;
  daemonize: boolean;
  newPidNs: boolean;
  cgroups: string[];
  parentCgroup: string | null;
  resourceLimits: string[];
  /** Everything after `--`, handed to Firecracker. */
  firecrackerArgv: string[];
  /** `firecrackerArgv` parsed; an old jailer's own --seccomp-level is folded in. */
  firecracker: FirecrackerArgs;
}

export const DEFAULT_CHROOT_BASE = '/srv/jailer';

const FC_FLAGS: ReadonlySet<string> = new Set([
  'no-api', 'no-seccomp', 'boot-timer', 'show-level', 'show-log-origin', 'version', 'help', 'enable-pci',
]);
const JAILER_FLAGS: ReadonlySet<string> = new Set(['daemonize', 'new-pid-ns', 'version', 'help']);

interface LongOptions { values: Map<string, string[]>; rest: string[] }

/**
 * `--opt value`, `--opt=value` and value-less flags. An option we do not know takes the next argument only
 * when it does not start with `--`, so a flag from a newer version cannot swallow the option after it.
 * Parsing stops at a bare `--` (the jailer hands the rest to Firecracker).
 */
function parseLongOptions(args: readonly string[], flags: ReadonlySet<string>): LongOptions {
  const values = new Map<string, string[]>();
  const push = (name: string, value: string): void => appendValue(values, name, value);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--') return { values, rest: args.slice(i + 1) };
    const option = splitLongOption(arg);
    if (option === null) continue;
    if (option.inline !== null) {
      push(option.name, option.inline);
      continue;
    }
    const name = option.name;
    if (flags.has(name)) {
      push(name, 'true');
      continue;
    }
    const next = followingValue(args, i, notALongOption);
    if (next !== undefined) {
      push(name, next);
      i++;
    } else {
      push(name, '');
    }
  }
  return { values, rest: [] };
}

const last = (options: LongOptions, name: string): string | null => options.values.get(name)?.at(-1) ?? null;
const nonEmpty = (value: string | null): string | null => (value === null || value === '' ? null : value);

function toInt(value: string | null): number | null {
  return value !== null && /^\d{1,9}$/.test(value) ? Number(value) : null;
}

/** Firecracker's own argv; argv[0] is skipped. */
export function parseFirecrackerArgs(argv: readonly string[]): FirecrackerArgs {
  return readFirecracker(parseLongOptions(argv.slice(1), FC_FLAGS));
}

function readFirecracker(options: LongOptions, inheritedSeccompLevel: number | null = null): FirecrackerArgs {
  const noSeccomp = options.values.has('no-seccomp');
  const seccompLevel = toInt(last(options, 'seccomp-level')) ?? inheritedSeccompLevel;
  const record: Record<string, string> = {};
  for (const [name, list] of options.values) record[name] = list.at(-1) ?? '';
  return {
    id: nonEmpty(last(options, 'id')),
    apiSock: nonEmpty(last(options, 'api-sock')),
    noApi: options.values.has('no-api'),
    configFile: nonEmpty(last(options, 'config-file')),
    noSeccomp,
    seccompFilter: nonEmpty(last(options, 'seccomp-filter')),
    seccompLevel,
    seccompDeclared: !noSeccomp && seccompLevel !== 0,
    options: record,
  };
}

export function parseJailerArgs(argv: readonly string[]): JailerArgs {
  const options = parseLongOptions(argv.slice(1), JAILER_FLAGS);
  const fcOptions = parseLongOptions(options.rest, FC_FLAGS);
  return {
    id: nonEmpty(last(options, 'id')),
    execFile: nonEmpty(last(options, 'exec-file')),
    uid: toInt(last(options, 'uid')),
    gid: toInt(last(options, 'gid')),
    chrootBaseDir: nonEmpty(last(options, 'chroot-base-dir')) ?? DEFAULT_CHROOT_BASE,
    netns: nonEmpty(last(options, 'netns')),
    daemonize: options.values.has('daemonize'),
    newPidNs: options.values.has('new-pid-ns'),
    cgroups: [...(options.values.get('cgroup') ?? [])].filter((value) => value !== ''),
    parentCgroup: nonEmpty(last(options, 'parent-cgroup')),
    resourceLimits: [...(options.values.get('resource-limit') ?? [])].filter((value) => value !== ''),
    firecrackerArgv: options.rest,
    firecracker: readFirecracker(fcOptions, toInt(last(options, 'seccomp-level'))),
  };
}

/** A path inside `root`, or null when `inner` climbs out of it (`/../../etc/shadow`). */
function underRoot(root: string, inner: string): string | null {
  const joined = path.posix.join(root, inner);
  return joined.startsWith(`${root}/`) ? joined : null;
}

/** A directory name we are willing to put in a path: no separators, not `.` or `..`. */
function safeComponent(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !name.includes('/') && !name.includes('\0');
}

/** `<chroot-base>/<basename(exec-file)>/<id>/root`, as the jailer builds it; null when it cannot be known. */
export function firecrackerJailRoot(jailer: JailerArgs): string | null {
  if (jailer.id === null || jailer.execFile === null || !isValidSandboxId(jailer.id)) return null;
  if (!jailer.chrootBaseDir.startsWith('/')) return null;
  const binary = path.posix.basename(jailer.execFile);
  if (!safeComponent(binary)) return null;
  return path.posix.join(path.posix.normalize(jailer.chrootBaseDir), binary, jailer.id, 'root');
}

/** Host path of the config file of a Firecracker started by this jailer. */
export function firecrackerConfigHostPath(jailer: JailerArgs): string | null {
  const root = firecrackerJailRoot(jailer);
  const configFile = jailer.firecracker.configFile;
  if (root === null || configFile === null) return null;
  return underRoot(root, configFile);
}

/** The chroot bases Kata uses: the Go runtime's and runtime-rs's. */
const KATA_CHROOT_BASES = ['/run/vc', '/run/kata'];

/**
 * Host paths to try for the config file of a running Firecracker seen on its own (the jailer has exec'd
 * it, so its argv is `/firecracker --id <id> … --config-file /fcConfig.json`, a path inside the jail).
 * In order: the jail that `exe` points into (a readlink from outside the jail shows the jail copy,
 * <root>/<binary>); the Kata chroot bases with the binary's name (it may be e.g. firecracker-v1.4.0-x86_64);
 * last, the path itself, which is right for a Firecracker started without the jailer.
 */
export function firecrackerConfigCandidates(fc: FirecrackerArgs, argv0: string | null, exe: string | null): string[] {
  const configFile = fc.configFile;
  if (configFile === null) return [];
  const candidates: string[] = [];
  const push = (candidate: string | null): void => {
    if (candidate !== null && !candidates.includes(candidate)) candidates.push(candidate);
  };
  const exePath = exe === null ? null : stripDeleted(exe);
  if (exePath?.startsWith('/')) {
    const dir = path.posix.dirname(path.posix.normalize(exePath));
    if (dir.endsWith('/root')) push(underRoot(dir, configFile));
  }
  if (fc.id !== null && isValidSandboxId(fc.id)) {
    const names = [argv0, exePath, 'firecracker']
      .map((name) => (name ? path.posix.basename(name) : ''))
      .filter(safeComponent);
    for (const base of KATA_CHROOT_BASES) {
      for (const name of new Set(names)) push(underRoot(path.posix.join(base, name, fc.id, 'root'), configFile));
    }
  }
  if (configFile.startsWith('/')) push(path.posix.normalize(configFile));
  return candidates;
}

export interface FirecrackerConfig {
  devices: Device[];
  /** Hybrid vsock socket as Firecracker sees it (`/kata.hvsock` inside the jail). */
  vsockUdsPath: string | null;
  /** Host tap names (`tap0_kata`): Firecracker opens them by name in the pod netns. */
  tapNames: string[];
}

function records(value: unknown): Array<Record<string, unknown>> {
  if (!Array.isArray(value)) return [];
  return value.filter((item): item is Record<string, unknown> => typeof item === 'object' && item !== null && !Array.isArray(item));
}

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/**
 * Devices from a Firecracker `--config-file`. Never throws; a bad file gives `{error}`. The message never
 * quotes the content: a hostile argv could point us at any host file.
 */
export function parseFirecrackerConfig(json: string): FirecrackerConfig | { error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    const position = /position (\d+)/.exec(messageOf(error));
    return { error: `not valid JSON${position ? ` (at byte ${position[1]})` : ''}` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { error: 'not a JSON object' };
  }
  const config = parsed as Record<string, unknown>;
  const devices: Device[] = [];
  for (const drive of records(config['drives'])) {
    // Firecracker ≥1.8 can back a drive with a vhost-user-blk socket instead of a host file.
    const backend = str(drive['socket']) !== null ? 'vhost-user' : 'vmm';
    devices.push({ class: 'blk', backend, id: str(drive['drive_id']), source: 'config' });
  }
  const tapNames: string[] = [];
  for (const iface of records(config['network-interfaces'])) {
    devices.push({ class: 'net', backend: 'vmm', id: str(iface['iface_id']), source: 'config' });
    const tap = str(iface['host_dev_name']);
    if (tap !== null) tapNames.push(tap);
  }
  let vsockUdsPath: string | null = null;
  const vsock = records([config['vsock']])[0];
  if (vsock) {
    devices.push({ class: 'vsock', backend: 'vmm', id: str(vsock['vsock_id']), source: 'config' });
    vsockUdsPath = str(vsock['uds_path']);
  }
  if (records([config['balloon']]).length > 0) devices.push({ class: 'balloon', backend: 'vmm', id: null, source: 'config' });
  if (records([config['entropy']]).length > 0) devices.push({ class: 'rng', backend: 'vmm', id: null, source: 'config' });
  for (const pmem of records(config['pmem'])) {
    devices.push({ class: 'pmem', backend: 'vmm', id: str(pmem['id']), source: 'config' });
  }
  return { devices, vsockUdsPath, tapNames };
}

/**
 * Kata's Firecracker devices when no config file can be read (runtime-rs configures Firecracker over its API
 * socket): virtio-mmio block, in-VMM virtio-net on a tap and hybrid vsock over a unix socket. Firecracker has no
 * vhost backends at all, so these defaults cannot understate the kernel exposure.
 */
export function firecrackerDefaultDevices(): Device[] {
  return [
    { class: 'blk', backend: 'vmm', id: null, source: 'default' },
    { class: 'net', backend: 'vmm', id: null, source: 'default' },
    { class: 'vsock', backend: 'vmm', id: null, source: 'default' },
  ];
}
