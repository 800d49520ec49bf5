import type { Device, DeviceBackend, DeviceClass } from '../model/report.js';
import type { FdClaims, FdNodeKind } from '../host/proc/fd-devices.js';
import { isValidSandboxId, sandboxIdFromPath } from '../model/sandbox-id.js';
import { fdNumbers, parseQemuOptionValue, parseQemuSize, qemuBool, type QemuOptionValue } from './qemu-option-value.js';

/** One option as written: `-name x` and `--name x` both give `{name: 'name', value: 'x'}`. */
export interface QemuOption {
  name: string;
  /** null for a value-less knob, or when the value is missing at the end of argv. */
  value: string | null;
}

export interface QemuMemory {
  /** Boot RAM in bytes (a bare `-m 2048` is MiB, as QEMU reads it). */
  bootBytes: number | null;
  slots: number;
  /** `maxmem` in bytes (a bare number is bytes here, as QEMU reads it). */
  maxBytes: number | null;
}

export interface QemuSmp {
  cpus: number | null;
  /** Explicit `maxcpus`, else the full topology product, else `cpus`. */
  maxCpus: number | null;
  sockets: number | null;
  cores: number | null;
  threads: number | null;
}

export interface QemuSandboxOption {
  /** `-sandbox on` (or `enable=on`): QEMU installs its seccomp filter. */
  enabled: boolean;
  options: Record<string, string>;
  /** Which of the four QEMU seccomp groups are `deny` (elevateprivileges=children is not a full deny). */
  denied: Array<'obsolete' | 'elevateprivileges' | 'spawn' | 'resourcecontrol'>;
}

export interface QemuArgs {
  binary: string | null;
  options: QemuOption[];
  /** Arguments that are not options (QEMU reads a bare argument as a disk image). */
  positional: string[];
  guestName: string | null;
  /** `-name …,debug-threads=on`: Kata adds it only with enable_debug. */
  debugThreads: boolean;
  /** From `-name sandbox-<id>`, else from the first Kata socket or state path in argv. */
  sandboxId: string | null;
  /** Every distinct id named by paths in argv: more than one, or one that differs from -name, is suspect. */
  pathSandboxIds: string[];
  memory: QemuMemory | null;
  smp: QemuSmp | null;
  /** The last -sandbox option (QEMU applies each; Kata passes at most one). */
  sandbox: QemuSandboxOption | null;
  daemonize: boolean;
  /** Merged -machine / -M options, as QEMU merges them. */
  machine: { type: string | null; props: Record<string, string> } | null;
}

/**
 * QEMU options that take no value. Everything else takes one; an option we do not know takes the next
 * argument only when that argument does not look like an option, so a newer value-less knob cannot swallow
 * the option after it.
 */
const FLAGS: ReadonlySet<string> = new Set([
  'S', 's', 'daemonize', 'no-user-config', 'nodefaults', 'nodefconfig', 'nographic', 'no-reboot', 'no-shutdown',
  'enable-kvm', 'no-kvm', 'no-hpet', 'no-acpi', 'snapshot', 'full-screen', 'no-frame', 'no-quit', 'only-migratable',
  'preconfig', 'version', 'help', 'h', 'no-fd-bootchk', 'win2k-hack', 'usb', 'enable-fips', 'alt-grab', 'ctrl-grab',
  'curses', 'portrait', 'rtc-td-hack', 'semihosting', 'enable-sync-profile', 'sdl', 'xen-attach', 'singlestep',
  'mem-prealloc', 'perfmap', 'jitdump', 'no-kvm-irqchip', 'no-kvm-pit', 'no-kvm-pit-reinjection', 'old-param',
]);

const KNOWN_WITH_VALUE: ReadonlySet<string> = new Set([
  'name', 'uuid', 'machine', 'M', 'cpu', 'qmp', 'qmp-pretty', 'monitor', 'mon', 'm', 'device', 'chardev', 'netdev',
  'nic', 'net', 'object', 'rtc', 'global', 'pflash', 'vga', 'numa', 'kernel', 'initrd', 'append', 'bios', 'incoming',
  'pidfile', 'fw_cfg', 'sandbox', 'smp', 'drive', 'blockdev', 'fsdev', 'virtfs', 'serial', 'D', 'd', 'L', 'accel',
  'boot', 'add-fd', 'msg', 'overcommit', 'display', 'trace', 'runas', 'run-with', 'chroot', 'mem-path', 'dtb',
  'icount', 'set', 'k', 'watchdog-action', 'action', 'audiodev', 'readconfig', 'compat', 'parallel', 'debugcon',
  'tpmdev', 'iscsi', 'spice', 'vnc', 'plugin', 'seed', 'loadvm', 'option-rom', 'semihosting-config',
]);

const SANDBOX_GROUPS = ['obsolete', 'elevateprivileges', 'spawn', 'resourcecontrol'] as const;

/** Splits argv into options and values. Never throws: odd input gives fewer facts, not an error. */
export function parseQemuArgs(argv: readonly string[]): QemuArgs {
  const options: QemuOption[] = [];
  const positional: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('-') || arg === '-' || arg === '--') {
      positional.push(arg);
      continue;
    }
    const name = arg.startsWith('--') ? arg.slice(2) : arg.slice(1);
    if (FLAGS.has(name)) {
      options.push({ name, value: null });
      continue;
    }
    const next = argv[i + 1];
    const takes = next !== undefined && (KNOWN_WITH_VALUE.has(name) || !next.startsWith('-'));
    options.push({ name, value: takes ? next : null });
    if (takes) i++;
  }

  const args: QemuArgs = {
    binary: argv[0] ?? null,
    options,
    positional,
    guestName: null,
    debugThreads: false,
    sandboxId: null,
    pathSandboxIds: [],
    memory: null,
    smp: null,
    sandbox: null,
    daemonize: false,
    machine: null,
  };
  for (const option of options) readOption(args, option);
  args.pathSandboxIds = idsFromPaths(options);
  args.sandboxId ??= args.pathSandboxIds[0] ?? null;
  return args;
}

function readOption(args: QemuArgs, { name, value }: QemuOption): void {
  if (name === 'daemonize') args.daemonize = true;
  if (value === null) return;
  switch (name) {
    case 'name': {
      const parsed = parseQemuOptionValue(value);
      args.guestName = parsed.props.get('guest') ?? parsed.implied;
      args.debugThreads = qemuBool(parsed.props.get('debug-threads')) ?? false;
      const id = args.guestName?.startsWith('sandbox-') ? args.guestName.slice('sandbox-'.length) : null;
      args.sandboxId = id !== null && isValidSandboxId(id) ? id : null;
      break;
    }
    case 'm':
      args.memory = readMemory(parseQemuOptionValue(value));
      break;
    case 'smp':
      args.smp = readSmp(parseQemuOptionValue(value));
      break;
    case 'sandbox':
      args.sandbox = readSandbox(parseQemuOptionValue(value));
      break;
    case 'machine':
    case 'M': {
      const parsed = parseQemuOptionValue(value);
      // A null-prototype record: a hostile `__proto__=` key stays an ordinary key.
      const machine = args.machine ?? { type: null, props: Object.create(null) as Record<string, string> };
      for (const [key, prop] of parsed.props) if (key !== 'type') machine.props[key] = prop;
      machine.type = parsed.props.get('type') ?? parsed.implied ?? machine.type;
      args.machine = machine;
      break;
    }
    default:
      break;
  }
}

function readMemory(parsed: QemuOptionValue): QemuMemory {
  return {
    bootBytes: parseQemuSize(parsed.props.get('size') ?? parsed.implied, 'm'),
    slots: toCount(parsed.props.get('slots')) ?? 0,
    maxBytes: parseQemuSize(parsed.props.get('maxmem'), 'b'),
  };
}

function readSmp(parsed: QemuOptionValue): QemuSmp {
  const sockets = toCount(parsed.props.get('sockets'));
  const cores = toCount(parsed.props.get('cores'));
  const threads = toCount(parsed.props.get('threads'));
  const explicitMax = toCount(parsed.props.get('maxcpus'));
  const product = sockets !== null && cores !== null && threads !== null
    ? sockets * cores * threads * (toCount(parsed.props.get('dies')) ?? 1) * (toCount(parsed.props.get('clusters')) ?? 1)
    : null;
  const cpus = toCount(parsed.props.get('cpus') ?? parsed.implied ?? undefined) ?? explicitMax ?? product;
  return { cpus, maxCpus: explicitMax ?? product ?? cpus, sockets, cores, threads };
}

function readSandbox(parsed: QemuOptionValue): QemuSandboxOption {
  const options = Object.fromEntries(parsed.props) as Record<string, string>;
  if (parsed.implied !== null) options.enable ??= parsed.implied;
  return {
    enabled: qemuBool(parsed.props.get('enable') ?? parsed.implied ?? undefined) ?? false,
    options,
    denied: SANDBOX_GROUPS.filter((group) => parsed.props.get(group) === 'deny'),
  };
}

function toCount(value: string | undefined | null): number | null {
  if (value === undefined || value === null || !/^\d{1,9}$/.test(value)) return null;
  return Number(value);
}

/** Chardev shorthand used by -qmp, -monitor and -serial: `unix:<path or opts>`, optionally behind `mon:`. */
export function parseChardevShorthand(value: string): QemuOptionValue {
  const rest = value.startsWith('mon:') ? value.slice(4) : value;
  if (rest.startsWith('unix:')) {
    const parsed = parseQemuOptionValue(rest.slice(5));
    if (parsed.implied !== null && !parsed.props.has('path')) parsed.props.set('path', parsed.implied);
    return { implied: 'socket', props: parsed.props };
  }
  return parseQemuOptionValue(rest);
}

const SHORTHAND_OPTIONS: ReadonlySet<string> = new Set(['qmp', 'qmp-pretty', 'monitor', 'serial']);

/** Parses a value with the shorthand its option uses. */
export function optionValue(option: QemuOption): QemuOptionValue {
  const value = option.value ?? '';
  return SHORTHAND_OPTIONS.has(option.name) ? parseChardevShorthand(value) : parseQemuOptionValue(value);
}

function idsFromPaths(options: readonly QemuOption[]): string[] {
  const ids: string[] = [];
  for (const option of options) {
    if (option.value === null) continue;
    const parsed = optionValue(option);
    for (const candidate of [option.value, parsed.implied, ...parsed.props.values()]) {
      if (candidate === null || !candidate.startsWith('/')) continue;
      const id = sandboxIdFromPath(candidate);
      if (id !== null && !ids.includes(id)) ids.push(id);
    }
  }
  return ids;
}

// ---------------------------------------------------------------------------------------------------------
// Inventory: what the argv says about devices, fds, hotplug, seccomp and memory sharing.

export interface QemuInventory {
  sandboxId: string | null;
  /** Cold-plugged devices, in argv order, source 'argv'. Hot-plugged ones only show in fds. */
  devices: Device[];
  /** Fd numbers argv names (vhostfds=, fds=, vhostfd=, fd=, -qmp unix:fd=3, -add-fd): skip them in fd scans. */
  referencedFds: Set<number>;
  /** Nodes QEMU opens itself for argv devices (see FdClaims): pass to devicesFromFds with referencedFds. */
  fdClaims: FdClaims;
  hotplug: { cpu: boolean; memory: boolean; pci: boolean };
  dax: boolean;
  daxCacheSize: string | null;
  virtiofsSocket: string | null;
  seccomp: { declared: boolean; options: Record<string, string> };
  daemonized: boolean;
  /** Host PCI addresses of vfio-pci devices, normalised to the sysfs form 0000:bb:dd.f. */
  vfioHosts: string[];
  /** Guest RAM is in a shared file or memfd another process (virtiofsd) can map. */
  sharedMemory: boolean;
}

type ClassBackend = { class: DeviceClass; backend: DeviceBackend };

/** -device drivers by prefix, most specific first (vhost-user-vsock before vhost-vsock). */
const DRIVER_RULES: ReadonlyArray<[string, ClassBackend]> = [
  ['vhost-user-vsock', { class: 'vsock', backend: 'vhost-user' }],
  ['vhost-vsock', { class: 'vsock', backend: 'vhost-kernel' }],
  ['vhost-user-blk', { class: 'blk', backend: 'vhost-user' }],
  ['virtio-blk', { class: 'blk', backend: 'vmm' }],
  ['vhost-user-scsi', { class: 'scsi', backend: 'vhost-user' }],
  ['vhost-scsi', { class: 'scsi', backend: 'vhost-kernel' }],
  ['virtio-scsi', { class: 'scsi', backend: 'vmm' }],
  ['vhost-user-fs', { class: 'fs', backend: 'vhost-user' }],
  ['virtio-9p', { class: '9p', backend: 'vmm' }],
  // Not vfio-user-pci: that talks to a userspace device server over a socket, nothing is passed through.
  ['vfio-pci', { class: 'vfio', backend: 'passthrough' }],
  ['vfio-ccw', { class: 'vfio', backend: 'passthrough' }],
  ['vfio-ap', { class: 'vfio', backend: 'passthrough' }],
  ['vfio-platform', { class: 'vfio', backend: 'passthrough' }],
  ['vhost-user-rng', { class: 'rng', backend: 'vhost-user' }],
  ['virtio-rng', { class: 'rng', backend: 'vmm' }],
  // virtconsole / virtserialport are ports on this bus, not devices of their own.
  ['virtio-serial', { class: 'console', backend: 'vmm' }],
  ['virtio-pmem', { class: 'pmem', backend: 'vmm' }],
  ['virtio-balloon', { class: 'balloon', backend: 'vmm' }],
  ['vhost-vdpa-device', { class: 'vdpa', backend: 'vhost-kernel' }],
];

const PORT_DRIVERS: ReadonlySet<string> = new Set(['pcie-root-port', 'ioh3420', 'xio3130-downstream']);
const BRIDGE_DRIVERS: ReadonlySet<string> = new Set(['pci-bridge', 'pci-bridge-seat', 'pcie-pci-bridge']);
const FD_KEYS = ['fd', 'fds', 'vhostfd', 'vhostfds'] as const;

export function classifyQemuDriver(driver: string): ClassBackend | null {
  if (driver === 'nvdimm') return { class: 'pmem', backend: 'vmm' };
  for (const [prefix, result] of DRIVER_RULES) if (driver.startsWith(prefix)) return result;
  return null;
}

/**
 * QEMU's tap rule (net/tap.c): vhost is on when `vhost=on`, or, with `vhost` unset, when a vhostfd is given
 * or `vhostforce=on`.
 */
function tapUsesVhost(props: ReadonlyMap<string, string>): boolean {
  const vhost = qemuBool(props.get('vhost'));
  if (vhost !== undefined) return vhost;
  return props.has('vhostfd') || props.has('vhostfds') || qemuBool(props.get('vhostforce')) === true;
}

/** The backend a virtio-net device gets from its netdev (or a -nic its own type). */
function netBackend(netdev: QemuOptionValue | undefined): ClassBackend {
  const type = netdev ? (netdev.props.get('type') ?? netdev.implied) : null;
  if (!netdev || type === null) return { class: 'net', backend: 'vmm' };
  if (type === 'vhost-user') return { class: 'net', backend: 'vhost-user' };
  if (type === 'vhost-vdpa') return { class: 'vdpa', backend: 'vhost-kernel' };
  if ((type === 'tap' || type === 'bridge') && tapUsesVhost(netdev.props)) return { class: 'net', backend: 'vhost-kernel' };
  return { class: 'net', backend: 'vmm' };
}

/** Fds QEMU opens itself for a tap or vdpa netdev (not passed in by number or name). */
function claimNetdev(netdev: QemuOptionValue, claims: FdClaims): void {
  const type = netdev.props.get('type') ?? netdev.implied;
  const passed = fdNumbers(netdev.props.get('fds')).length || (netdev.props.has('fd') ? 1 : 0);
  const queues = passed || (toCount(netdev.props.get('queues')) ?? 1);
  if (type === 'tap' || type === 'bridge') {
    if (!netdev.props.has('fd') && !netdev.props.has('fds')) addClaim(claims, 'tun', queues);
    if (tapUsesVhost(netdev.props) && !netdev.props.has('vhostfd') && !netdev.props.has('vhostfds')) {
      addClaim(claims, 'vhost-net', queues);
    }
  } else if (type === 'vhost-vdpa' && !netdev.props.has('vhostfd')) {
    addClaim(claims, 'vhost-vdpa', 1);
  }
}

function addClaim(claims: FdClaims, kind: FdNodeKind, count: number): void {
  claims[kind] = (claims[kind] ?? 0) + count;
}

export function normaliseBdf(value: string): string | null {
  const match = /^(?:([0-9a-f]{4}):)?([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])$/i.exec(value);
  if (!match) return null;
  return `${match[1] ?? '0000'}:${match[2]}:${match[3]}.${match[4]}`.toLowerCase();
}

/** `-global driver.prop=value` or `-global driver=d,property=p,value=v`, keyed `driver.prop` in lower case. */
function readGlobal(value: string, globals: Map<string, string>): void {
  const parsed = parseQemuOptionValue(value);
  const driver = parsed.props.get('driver');
  const property = parsed.props.get('property');
  if (driver !== undefined && property !== undefined) {
    globals.set(`${driver}.${property}`.toLowerCase(), parsed.props.get('value') ?? '');
    return;
  }
  for (const [key, prop] of parsed.props) if (key.includes('.')) globals.set(key.toLowerCase(), prop);
}

function isI440fx(type: string | null): boolean {
  return type !== null && /^pc(-i440fx-.*|-\d.*)?$/.test(type);
}

export function qemuInventory(args: QemuArgs): QemuInventory {
  const index = indexOptions(args);
  const state = newInventoryState(args, index.globals);
  for (const option of args.options) {
    if (option.value !== null) visitOption(state, index, option, optionValue(option));
  }
  return {
    sandboxId: args.sandboxId,
    devices: state.devices,
    referencedFds: index.referencedFds,
    fdClaims: index.claims,
    hotplug: { cpu: cpuHotplug(args), memory: state.virtioMem || memoryHotplugSlots(args), pci: state.pciHotplug },
    dax: state.dax,
    daxCacheSize: state.daxCacheSize,
    virtiofsSocket: state.virtiofsSocket,
    seccomp: { declared: args.sandbox?.enabled ?? false, options: args.sandbox?.options ?? {} },
    daemonized: args.daemonize,
    vfioHosts: state.vfioHosts,
    sharedMemory: state.sharedMemory,
  };
}

/** What the device options refer to by id, and the fds argv names or makes QEMU open. */
interface OptionIndex {
  netdevs: Map<string, QemuOptionValue>;
  chardevs: Map<string, QemuOptionValue>;
  globals: Map<string, string>;
  referencedFds: Set<number>;
  claims: FdClaims;
}

/** First pass: -netdev, -chardev and -global by id, since -device may name them before they appear. */
function indexOptions(args: QemuArgs): OptionIndex {
  const index: OptionIndex = { netdevs: new Map(), chardevs: new Map(), globals: new Map(), referencedFds: new Set(), claims: {} };
  for (const option of args.options) {
    if (option.value === null) continue;
    const parsed = optionValue(option);
    for (const key of FD_KEYS) for (const fd of fdNumbers(parsed.props.get(key))) index.referencedFds.add(fd);
    const incoming = option.name === 'incoming' ? /^fd:(\d{1,9})$/.exec(option.value) : null;
    if (incoming) index.referencedFds.add(Number(incoming[1]));
    const id = parsed.props.get('id');
    if (option.name === 'netdev') {
      claimNetdev(parsed, index.claims);
      if (id !== undefined) index.netdevs.set(id, parsed);
    } else if (option.name === 'chardev' && id !== undefined) {
      index.chardevs.set(id, parsed);
    } else if (option.name === 'global') {
      readGlobal(option.value, index.globals);
    }
  }
  return index;
}

/** What the second pass collects. */
interface InventoryState {
  devices: Device[];
  /** On q35, whether a pci-bridge with shpc=off is still hot-pluggable (through ACPI). */
  bridgeAcpi: boolean;
  pciHotplug: boolean;
  virtioMem: boolean;
  dax: boolean;
  daxCacheSize: string | null;
  virtiofsSocket: string | null;
  sharedMemory: boolean;
  vfioHosts: string[];
}

function newInventoryState(args: QemuArgs, globals: ReadonlyMap<string, string>): InventoryState {
  const i440fx = isI440fx(args.machine?.type ?? null);
  // On q35 a pci-bridge with shpc=off is hot-pluggable through ACPI (Kata's default bridge, which Kata
  // hot-plugs block devices onto) unless the ICH9 (PIIX4 on pc) bridge hotplug global turns that off.
  const bridgeAcpi = qemuBool(globals.get(i440fx
    ? 'piix4_pm.acpi-pci-hotplug-with-bridge-support'
    : 'ich9-lpc.acpi-pci-hotplug-with-bridge-support')) !== false;
  // On pc (i440fx) the root bus itself is ACPI hot-pluggable; q35's pcie.0 never is.
  const pciHotplug = i440fx && qemuBool(globals.get('piix4_pm.acpi-root-pci-hotplug')) !== false;
  return {
    devices: [], bridgeAcpi, pciHotplug, virtioMem: false, dax: false, daxCacheSize: null, virtiofsSocket: null,
    sharedMemory: false, vfioHosts: [],
  };
}

function addDevice(state: InventoryState, cb: ClassBackend, id: string | undefined, extra: Partial<Device> = {}): void {
  state.devices.push({ class: cb.class, backend: cb.backend, id: id ?? null, source: 'argv', ...extra });
}

function visitOption(state: InventoryState, index: OptionIndex, option: QemuOption, parsed: QemuOptionValue): void {
  const { props } = parsed;
  switch (option.name) {
    case 'device':
      visitDevice(state, index, parsed);
      break;
    case 'nic':
      if ((props.get('type') ?? parsed.implied) === 'none') break;
      claimNetdev(parsed, index.claims);
      addDevice(state, netBackend(parsed), props.get('id'));
      break;
    case 'virtfs':
      addDevice(state, { class: '9p', backend: 'vmm' }, props.get('id'));
      break;
    case 'drive':
      if (props.get('if') === 'virtio') addDevice(state, { class: 'blk', backend: 'vmm' }, props.get('id'));
      break;
    case 'serial':
      if (option.value !== 'none' && option.value !== 'null') addDevice(state, { class: 'console', backend: 'vmm' }, undefined);
      break;
    case 'object':
      if (isSharedMemoryBackend(parsed)) state.sharedMemory = true;
      break;
    default:
      break;
  }
}

/** memfd backends are shared unless told otherwise; file backends only with share=on. */
function isSharedMemoryBackend(parsed: QemuOptionValue): boolean {
  const type = parsed.props.get('qom-type') ?? parsed.implied;
  const share = qemuBool(parsed.props.get('share'));
  return (type === 'memory-backend-file' && share === true) || (type === 'memory-backend-memfd' && share !== false)
    || type === 'memory-backend-shm';
}

function visitDevice(state: InventoryState, index: OptionIndex, parsed: QemuOptionValue): void {
  const { props } = parsed;
  const driver = props.get('driver') ?? parsed.implied ?? '';
  if (PORT_DRIVERS.has(driver)) {
    if (qemuBool(props.get('hotplug')) !== false) state.pciHotplug = true;
    return;
  }
  if (BRIDGE_DRIVERS.has(driver)) {
    if (qemuBool(props.get('shpc')) !== false || state.bridgeAcpi) state.pciHotplug = true;
    return;
  }
  if (driver.startsWith('virtio-mem')) state.virtioMem = true;
  if (driver.startsWith('virtio-net')) {
    // Kata names the netdev (network-<tap>), rarely the device: the netdev id tells the operator which NIC.
    addDevice(state, netBackend(index.netdevs.get(props.get('netdev') ?? '')), props.get('id') ?? props.get('netdev'));
    return;
  }
  const cb = classifyQemuDriver(driver);
  if (!cb) return;
  if (cb.class === 'vfio') {
    const address = vfioAddress(props);
    // With iommufd= QEMU binds the device through /dev/iommu and its cdev; without it, a legacy VFIO group.
    const vfio = props.has('iommufd') ? 'iommufd' : 'group';
    addDevice(state, cb, props.get('id') ?? address ?? undefined, { ...(address !== null ? { address } : {}), vfio });
  } else {
    addDevice(state, cb, props.get('id') ?? (cb.class === 'blk' || cb.class === 'scsi' ? props.get('drive') : undefined));
  }
  claimDevice(cb, props, index.claims);
  if (cb.class === 'fs') visitSharedFs(state, index, props);
  if (cb.class === 'vfio') visitVfio(state, props);
}

function visitSharedFs(state: InventoryState, index: OptionIndex, props: ReadonlyMap<string, string>): void {
  const cacheSize = props.get('cache-size');
  if (cacheSize !== undefined && (parseQemuSize(cacheSize) ?? 0) > 0) {
    state.dax = true;
    state.daxCacheSize ??= cacheSize;
  }
  state.virtiofsSocket ??= index.chardevs.get(props.get('chardev') ?? '')?.props.get('path') ?? null;
}

function vfioAddress(props: ReadonlyMap<string, string>): string | null {
  const sysfs = props.get('sysfsdev');
  return normaliseBdf(props.get('host') ?? sysfs?.slice(sysfs.lastIndexOf('/') + 1) ?? '');
}

function visitVfio(state: InventoryState, props: ReadonlyMap<string, string>): void {
  const bdf = vfioAddress(props);
  if (bdf !== null && !state.vfioHosts.includes(bdf)) state.vfioHosts.push(bdf);
}

function cpuHotplug({ smp }: QemuArgs): boolean {
  return smp !== null && smp.cpus !== null && smp.maxCpus !== null && smp.maxCpus > smp.cpus;
}

function memoryHotplugSlots({ memory }: QemuArgs): boolean {
  return memory !== null && memory.slots > 0 && memory.maxBytes !== null && memory.maxBytes > (memory.bootBytes ?? 0);
}

/** Device nodes QEMU opens itself when argv gives no fd for them. */
function claimDevice(cb: ClassBackend, props: ReadonlyMap<string, string>, claims: FdClaims): void {
  if (cb.backend === 'vhost-kernel' && props.has('vhostfd')) return;
  if (cb.class === 'vsock' && cb.backend === 'vhost-kernel') addClaim(claims, 'vhost-vsock', 1);
  else if (cb.class === 'scsi' && cb.backend === 'vhost-kernel') addClaim(claims, 'vhost-scsi', 1);
  else if (cb.class === 'vdpa') addClaim(claims, 'vhost-vdpa', 1);
  else if (cb.class === 'vfio' && !props.has('fd')) {
    addClaim(claims, props.has('iommufd') ? 'vfio-cdev' : 'vfio-group', 1);
  }
}
