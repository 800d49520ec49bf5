import type { Device, DeviceBackend, DeviceClass } from '../model/report.js';
import { sandboxIdFromPath } from '../model/sandbox-id.js';
import { appendValue, followingValue, notAnOption, splitLongOption } from './long-options.js';

export interface CloudHypervisorArgs {
  apiSocket: string | null;
  /** `--api-socket fd=N`: the socket was passed in, so no path names the sandbox. */
  apiSocketFd: number | null;
  /** `--seccomp` as written: 'true' (the default when absent), 'false' or 'log'. */
  seccomp: string | null;
  /** Only `--seccomp false` turns the filters off; `log` installs them in log-only mode, so it counts as on. */
  seccompDeclared: boolean;
  /** Number of `-v` (Kata passes `hypervisor_loglevel` of them with enable_debug). */
  verbosity: number;
  /** From /run/vc/vm/<id>/clh-api.sock (Go runtime) or /run/kata/<id>/ch-api.sock (runtime-rs). */
  sandboxId: string | null;
  /**
   * Devices argv names. Kata's argv names none (everything goes over the REST API), so this is empty for
   * Kata; a Cloud Hypervisor started by hand with --disk/--net/--fs/... gets its devices listed.
   */
  devices: Device[];
}

/** Options whose value list may hold several devices: `--disk path=a path=b`. */
const MULTI: ReadonlySet<string> = new Set(['disk', 'net', 'fs', 'device', 'pmem', 'user-device', 'vdpa', 'numa', 'platform']);
const FLAGS: ReadonlySet<string> = new Set(['version', 'help', 'landlock', 'debug-console-off']);

/**
 * Cloud Hypervisor's own option value syntax: `key=value,key=value`, where a comma inside double quotes or
 * square brackets (`topology=[1,2]`) does not split.
 */
export function splitChOptionValue(value: string): Map<string, string> {
  const result = new Map<string, string>();
  let depth = 0;
  let quoted = false;
  let current = '';
  const flush = (): void => {
    if (current === '') return;
    const eq = current.indexOf('=');
    if (eq === -1) result.set(current, '');
    else result.set(current.slice(0, eq), current.slice(eq + 1).replace(/^"(.*)"$/, '$1'));
    current = '';
  };
  for (const ch of value) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === '[') depth++;
    else if (!quoted && ch === ']') depth = Math.max(0, depth - 1);
    if (ch === ',' && !quoted && depth === 0) flush();
    else current += ch;
  }
  flush();
  return result;
}

function readOptions(argv: readonly string[]): { values: Map<string, string[]>; verbosity: number } {
  const values = new Map<string, string[]>();
  let verbosity = 0;
  const push = (name: string, value: string): void => appendValue(values, name, value);
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (/^-v+$/.test(arg)) {
      verbosity += arg.length - 1;
      continue;
    }
    if (arg === '--verbose') {
      verbosity++;
      continue;
    }
    const option = splitLongOption(arg);
    if (option === null) continue;
    if (option.inline !== null) {
      push(option.name, option.inline);
      continue;
    }
    const name = option.name;
    if (FLAGS.has(name)) {
      push(name, '');
      continue;
    }
    let taken = 0;
    for (let next = followingValue(argv, i, notAnOption); next !== undefined && (taken === 0 || MULTI.has(name)); next = followingValue(argv, i, notAnOption)) {
      push(name, next);
      i++;
      taken++;
    }
    if (taken === 0) push(name, '');
  }
  return { values, verbosity };
}

const ARGV_DEVICES: ReadonlyArray<[string, DeviceClass, DeviceBackend]> = [
  ['disk', 'blk', 'vmm'],
  ['net', 'net', 'vmm'],
  ['fs', 'fs', 'vhost-user'],
  ['vsock', 'vsock', 'vmm'],
  ['device', 'vfio', 'passthrough'],
  ['pmem', 'pmem', 'vmm'],
  ['rng', 'rng', 'vmm'],
  ['balloon', 'balloon', 'vmm'],
  ['vdpa', 'vdpa', 'vhost-kernel'],
];

const TRUE_WORDS = new Set(['true', 'on', 'yes']);

export function parseCloudHypervisorArgs(argv: readonly string[]): CloudHypervisorArgs {
  const { values, verbosity } = readOptions(argv);
  const lastOf = (name: string): string | null => values.get(name)?.at(-1) ?? null;

  let apiSocket: string | null = null;
  let apiSocketFd: number | null = null;
  const api = lastOf('api-socket');
  if (api !== null && api !== '') {
    if (api.startsWith('/')) apiSocket = api;
    else {
      const props = splitChOptionValue(api);
      apiSocket = props.get('path') || null;
      const fd = props.get('fd');
      apiSocketFd = fd !== undefined && /^\d{1,9}$/.test(fd) ? Number(fd) : null;
    }
  }
  const seccomp = lastOf('seccomp');

  const devices: Device[] = [];
  for (const [option, cls, backend] of ARGV_DEVICES) {
    for (const value of values.get(option) ?? []) {
      if (value === '') continue;
      const props = splitChOptionValue(value);
      // --disk/--net with vhost_user=true hand the device to a vhost-user backend process.
      const vhostUser = TRUE_WORDS.has((props.get('vhost_user') ?? '').toLowerCase());
      devices.push({ class: cls, backend: vhostUser ? 'vhost-user' : backend, id: props.get('id') ?? null, source: 'argv' });
    }
  }

  return {
    apiSocket,
    apiSocketFd,
    seccomp,
    seccompDeclared: seccomp?.toLowerCase() !== 'false',
    verbosity,
    sandboxId: apiSocket === null ? null : sandboxIdFromPath(apiSocket),
    devices,
  };
}

/**
 * What Kata gives every Cloud Hypervisor VM over the REST API, since argv is silent: in-VMM virtio-net (tap
 * fds passed over the socket), hybrid vsock over a unix socket, in-VMM virtio-blk, console and rng. The
 * caller adds fs/vhost-user when a virtiofsd belongs to the sandbox, and merges fd evidence over these.
 */
export function cloudHypervisorDefaultDevices(): Device[] {
  return [
    { class: 'net', backend: 'vmm', id: null, source: 'default' },
    { class: 'vsock', backend: 'vmm', id: null, source: 'default' },
    { class: 'blk', backend: 'vmm', id: null, source: 'default' },
    { class: 'console', backend: 'vmm', id: null, source: 'default' },
    { class: 'rng', backend: 'vmm', id: null, source: 'default' },
  ];
}

/**
 * Kata boots Cloud Hypervisor with max_vcpus above the boot count, an ACPI memory hotplug region
 * (`HotplugMethod: Acpi`) and hot-plugs VFIO and disks onto its PCI segments, so all three are available.
 * Nothing on the host shows otherwise short of asking the API, which the agent does not do.
 */
export const CLOUD_HYPERVISOR_KATA_HOTPLUG = Object.freeze({ cpu: true, memory: true, pci: true });
