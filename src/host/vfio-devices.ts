import path from 'node:path';
import type { VfioDevice } from '../model/report.js';
import type { HostView } from './host-view.js';

export const VFIO_STAGE = 'vfio';

export type HostVfioDevice = Omit<VfioDevice, 'sandboxId'>;

const PCI_DEVICES = 'bus/pci/devices';
const PCI_ID = /^0x[0-9a-f]{4}$/i;
const GROUP_NAME = /^\d+$/;
// PCI class 06 (bridge), subclass 04 (PCI-to-PCI); the last byte is the programming interface.
const PCI_BRIDGE_CLASS = /^0x0604[0-9a-f]{2}$/i;

/**
 * vfio-pci itself and its variant drivers built on vfio_pci_core (mlx5_vfio_pci, nvgrace_gpu_vfio_pci,
 * hisi_acc_vfio_pci, ...): a device bound to any of them is handed to a guest the same way.
 */
export function isVfioDriver(driver: string): boolean {
  return driver === 'vfio-pci' || /[_-]vfio[_-]pci$/.test(driver);
}

/**
 * Whether a group member bound to this driver leaves the group safe to give to a guest: the host must not be
 * driving any device that shares the group's DMA address space. pci-stub only reserves the device.
 */
function isSafeMemberDriver(driver: string | null): boolean {
  return driver === null || driver === 'pci-stub' || isVfioDriver(driver);
}

/** PCI devices bound to a VFIO driver, sorted by address, with their IOMMU group and whether it is viable. */
export function readVfioDevices(view: HostView): HostVfioDevice[] {
  const addresses = view.list('sys', PCI_DEVICES, { stage: VFIO_STAGE, optional: true }) ?? [];
  const viability = new Map<string, boolean>();
  const devices: HostVfioDevice[] = [];
  for (const address of [...addresses].sort()) {
    const base = `${PCI_DEVICES}/${address}`;
    const driver = readDriver(view, base);
    if (driver === undefined || driver === null || !isVfioDriver(driver)) continue;
    const iommuGroup = readIommuGroup(view, base);
    let groupViable = false;
    if (iommuGroup !== null) {
      let viable = viability.get(iommuGroup);
      if (viable === undefined) {
        viable = isGroupViable(view, iommuGroup);
        viability.set(iommuGroup, viable);
      }
      groupViable = viable;
    }
    devices.push({
      address,
      iommuGroup,
      vendorId: readPciId(view, `${base}/vendor`),
      deviceId: readPciId(view, `${base}/device`),
      groupViable,
      cdev: readCdev(view, base),
    });
  }
  return devices;
}

/** The device names (PCI addresses, or platform device names) in an IOMMU group, sorted. */
export function readIommuGroupMembers(view: HostView, group: string): string[] | undefined {
  if (!GROUP_NAME.test(group)) return undefined;
  return view.list('sys', `kernel/iommu_groups/${group}/devices`, { stage: VFIO_STAGE })?.sort();
}

/**
 * A group is viable when no member is driven by a host driver. Unknown is not viable: a member whose driver
 * link cannot be read might be a host NIC sharing the guest's DMA view.
 */
function isGroupViable(view: HostView, group: string): boolean {
  const members = readIommuGroupMembers(view, group);
  if (members === undefined || members.length === 0) return false;
  return members.every((member) => {
    const base = `kernel/iommu_groups/${group}/devices/${member}`;
    const driver = readDriver(view, base);
    if (driver === undefined) return false;
    return isSafeMemberDriver(driver) || isBridge(view, base);
  });
}

/** Driver name, null when the device has no driver, undefined when it could not be told (error recorded). */
function readDriver(view: HostView, deviceBase: string): string | null | undefined {
  // Listing tells "no driver link" apart from "link unreadable", which readLink alone reports the same way.
  // A device unplugged mid-scan is simply gone (optional); other listing failures are recorded.
  const entries = view.list('sys', deviceBase, { stage: VFIO_STAGE, optional: true });
  if (entries === undefined) return undefined;
  if (!entries.includes('driver')) return null;
  const link = view.readLink('sys', `${deviceBase}/driver`, { stage: VFIO_STAGE });
  return link === undefined ? undefined : path.posix.basename(link);
}

function readIommuGroup(view: HostView, deviceBase: string): string | null {
  const link = view.readLink('sys', `${deviceBase}/iommu_group`, { stage: VFIO_STAGE, optional: true });
  if (link === undefined) return null;
  const group = path.posix.basename(link);
  if (GROUP_NAME.test(group)) return group;
  view.errors.add(VFIO_STAGE, view.hostPath('sys', `${deviceBase}/iommu_group`), 'E_MALFORMED', `link target ${JSON.stringify(link.slice(0, 120))} is not an IOMMU group`);
  return null;
}

const CDEV_NAME = /^vfio\d{1,6}$/;

/** The device's VFIO cdev (`vfio-dev/vfioN`, Linux 6.6+ with VFIO_DEVICE_CDEV), or null. */
function readCdev(view: HostView, deviceBase: string): string | null {
  const entries = view.list('sys', `${deviceBase}/vfio-dev`, { stage: VFIO_STAGE, optional: true }) ?? [];
  return entries.filter((name) => CDEV_NAME.test(name)).sort()[0] ?? null;
}

function isBridge(view: HostView, deviceBase: string): boolean {
  const text = view.readText('sys', `${deviceBase}/class`, { stage: VFIO_STAGE, optional: true, maxBytes: 64 });
  return text !== undefined && PCI_BRIDGE_CLASS.test(text.trim());
}

function readPciId(view: HostView, rel: string): string | null {
  const text = view.readText('sys', rel, { stage: VFIO_STAGE, maxBytes: 64 });
  if (text === undefined) return null;
  const value = text.trim();
  if (PCI_ID.test(value)) return value.toLowerCase();
  view.errors.add(VFIO_STAGE, view.hostPath('sys', rel), 'E_MALFORMED', `expected a PCI id like 0x10de, found ${JSON.stringify(value.slice(0, 32))}`);
  return null;
}
