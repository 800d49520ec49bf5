import { stripDeleted } from './exe-link.js';
import type { Device, DeviceBackend, DeviceClass, VmmKind } from '../../model/report.js';

/** Host device nodes a VMM holds open that tell which backend serves a device. */
export type FdNodeKind = 'vhost-net' | 'vhost-vsock' | 'vhost-scsi' | 'vhost-vdpa' | 'vfio-group' | 'vfio-cdev' | 'tun';

/**
 * How many nodes of each kind the VMM opened itself for devices its argv already describes (QEMU opens
 * /dev/vhost-net for `vhost=on` without `vhostfds=`, /dev/vfio/<group> for `vfio-pci,host=`). Those fds are
 * not named by number in argv, so `exclude` cannot skip them; a claim skips that many instead.
 */
export type FdClaims = Partial<Record<FdNodeKind, number>>;

export interface FdDevices {
  devices: Device[];
  /** Distinct VFIO group ids held (`12`, or `noiommu-12` for a no-IOMMU group), claimed or not. */
  vfioGroups: string[];
  /** Distinct VFIO cdevs held (/dev/vfio/devices/vfioX, the iommufd form). */
  vfioCdevs: string[];
  /** /dev/net/tun fds that are neither excluded nor claimed. */
  tapCount: number;
  /** /dev/vfio/vfio: the legacy VFIO container. */
  vfioContainer: boolean;
  /** /dev/iommu: an iommufd context. */
  iommufd: boolean;
}

interface Classified { kind: FdNodeKind | 'vfio-container' | 'iommufd'; node: string }

const KIND_DEVICE: Record<Exclude<FdNodeKind, 'tun'>, { class: DeviceClass; backend: DeviceBackend }> = {
  'vhost-net': { class: 'net', backend: 'vhost-kernel' },
  'vhost-vsock': { class: 'vsock', backend: 'vhost-kernel' },
  'vhost-scsi': { class: 'scsi', backend: 'vhost-kernel' },
  'vhost-vdpa': { class: 'vdpa', backend: 'vhost-kernel' },
  'vfio-group': { class: 'vfio', backend: 'passthrough' },
  'vfio-cdev': { class: 'vfio', backend: 'passthrough' },
};

/** Kinds where one node is one device however many fds point at it. */
const DISTINCT_BY_NODE: ReadonlySet<FdNodeKind> = new Set(['vfio-group', 'vfio-cdev', 'vhost-vdpa']);

/**
 * A readlink of /proc/<pid>/fd/N. A chrooted process (jailed Firecracker) shows its nodes with the jail
 * prefix (/run/vc/firecracker/<id>/root/dev/net/tun) because readlink resolves against the reader's root.
 */
export function classifyFdTarget(target: string): Classified | null {
  let node = stripDeleted(target);
  const jailed = node.indexOf('/root/dev/');
  if (jailed > 0) node = node.slice(jailed + '/root'.length);
  if (node === '/dev/vhost-net') return { kind: 'vhost-net', node };
  if (node === '/dev/vhost-vsock') return { kind: 'vhost-vsock', node };
  if (node === '/dev/vhost-scsi') return { kind: 'vhost-scsi', node };
  if (/^\/dev\/vhost-vdpa-\d+$/.test(node)) return { kind: 'vhost-vdpa', node };
  if (node === '/dev/net/tun') return { kind: 'tun', node };
  if (node === '/dev/vfio/vfio') return { kind: 'vfio-container', node };
  if (node === '/dev/iommu') return { kind: 'iommufd', node };
  if (/^\/dev\/vfio\/(noiommu-)?\d+$/.test(node)) return { kind: 'vfio-group', node };
  if (/^\/dev\/vfio\/devices\/vfio\d+$/.test(node)) return { kind: 'vfio-cdev', node };
  return null;
}

/**
 * Devices a VMM's open fds reveal. Hot-plugged devices never appear in argv, so fds are the only view of them.
 * Fds in `exclude` (named by argv: vhostfds=, fds=, vhostfd=) and `claims` (opened by the VMM for argv
 * devices) are already described and skipped. A tap is not a device on its own: with a vhost-net fd it is a
 * vhost-kernel net device, without one it is a userspace (net/vmm) device, except under Firecracker, whose
 * config file is the authority on its interfaces.
 */
export function devicesFromFds(
  fds: ReadonlyMap<number, string>,
  vmm: VmmKind,
  exclude: ReadonlySet<number>,
  claims: FdClaims = {},
): FdDevices {
  const byKind = new Map<FdNodeKind, string[]>();
  let vfioContainer = false;
  let iommufd = false;
  const ordered = [...fds.entries()].sort((a, b) => a[0] - b[0]);
  for (const [fd, target] of ordered) {
    if (exclude.has(fd)) continue;
    const classified = classifyFdTarget(target);
    if (!classified) continue;
    if (classified.kind === 'vfio-container') { vfioContainer = true; continue; }
    if (classified.kind === 'iommufd') { iommufd = true; continue; }
    const nodes = byKind.get(classified.kind) ?? [];
    if (DISTINCT_BY_NODE.has(classified.kind) && nodes.includes(classified.node)) continue;
    nodes.push(classified.node);
    byKind.set(classified.kind, nodes);
  }

  const vfioGroups = (byKind.get('vfio-group') ?? []).map((node) => node.slice('/dev/vfio/'.length));
  const vfioCdevs = [...(byKind.get('vfio-cdev') ?? [])];

  // Claims take the lowest fds: the VMM opens what its argv asks for at start, before any hot-plug.
  const unclaimed = (kind: FdNodeKind): string[] => (byKind.get(kind) ?? []).slice(Math.max(0, claims[kind] ?? 0));

  const devices: Device[] = [];
  for (const kind of Object.keys(KIND_DEVICE) as Array<keyof typeof KIND_DEVICE>) {
    const { class: cls, backend } = KIND_DEVICE[kind];
    for (const node of unclaimed(kind)) {
      const vfio = kind === 'vfio-cdev' ? { vfio: 'iommufd' as const } : kind === 'vfio-group' ? { vfio: 'group' as const } : {};
      devices.push({ class: cls, backend, id: DISTINCT_BY_NODE.has(kind) ? node : null, source: 'fd', ...vfio });
    }
  }
  const tapCount = unclaimed('tun').length;
  if (vmm !== 'firecracker') {
    const userspaceTaps = tapCount - unclaimed('vhost-net').length;
    for (let i = 0; i < userspaceTaps; i++) devices.push({ class: 'net', backend: 'vmm', id: null, source: 'fd' });
  }
  return { devices, vfioGroups, vfioCdevs, tapCount, vfioContainer, iommufd };
}

/**
 * One device list from what argv (or a config file, or Kata's defaults) says and what the fds show.
 * Argv and config devices are authoritative and `devicesFromFds` has already skipped their fds, so fd devices
 * add to them (hot-plugged devices). A 'default' device is only an assumption made because argv is silent
 * (Cloud Hypervisor, Dragonball): an fd device of the same class and backend confirms it and takes its place.
 */
export function mergeDevices(argvDevices: readonly Device[], fdDevices: readonly Device[]): Device[] {
  const merged: Device[] = [...argvDevices];
  for (const fdDevice of fdDevices) {
    const index = merged.findIndex(
      (device) => device.source === 'default' && device.class === fdDevice.class && device.backend === fdDevice.backend,
    );
    if (index === -1) merged.push(fdDevice);
    else merged[index] = fdDevice;
  }
  return merged;
}
