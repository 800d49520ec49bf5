import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ExecutionContext } from 'ava';
import type { FixtureHost } from '../../src/fixture-host/description.js';
import { materialiseFixtureHost } from '../../src/fixture-host/materialise.js';
import { HostView } from '../../src/host/host-view.js';
import { ScanErrorLog } from '../../src/host/scan-error-log.js';

export interface FixtureView {
  view: HostView;
  /** The temp directory holding proc/, sys/ and root/, for tests that bend the tree after materialising. */
  dir: string;
}

/** Materialises a fixture host into a fresh temp dir, removed when the test ends. */
export function fixtureView(t: ExecutionContext, host: FixtureHost): FixtureView {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kata-audit-host-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const roots = materialiseFixtureHost(host, dir);
  return { view: new HostView(roots, new ScanErrorLog()), dir };
}

/** Replaces a fixture file with a directory: a reader then meets EISDIR where it expects text. */
export function replaceWithDirectory(dir: string, rel: string): void {
  const target = path.join(dir, rel);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
}

export interface PciDeviceSpec {
  /** Bus/device/function, e.g. "0000:01:00.0". */
  address: string;
  /** Addresses of the bridges above it, nearest the root first ([] for a device on the root bus). */
  parents?: string[];
  vendor: string;
  device: string;
  /** PCI class as sysfs prints it, e.g. "0x030000". */
  pciClass: string;
  driver?: string;
  iommuGroup?: number;
}

/**
 * The sysfs files and symlinks a real kernel shows for one PCI device: the device directory under
 * devices/pci0000:00/..., relative driver and iommu_group links from it, and the links to it from
 * bus/pci/devices, the driver's directory and the group's devices/ directory.
 */
export function pciDevice(spec: PciDeviceSpec): Required<Pick<FixtureHost, 'files' | 'links' | 'dirs'>> {
  const chain = [...(spec.parents ?? []), spec.address];
  const devicePath = `devices/pci${spec.address.slice(0, 4)}:00/${chain.join('/')}`;
  const up = '../'.repeat(devicePath.split('/').length - 1);
  const files: Record<string, string> = {
    [`sys/${devicePath}/vendor`]: `${spec.vendor}\n`,
    [`sys/${devicePath}/device`]: `${spec.device}\n`,
    [`sys/${devicePath}/class`]: `${spec.pciClass}\n`,
  };
  const links: Record<string, string> = { [`sys/bus/pci/devices/${spec.address}`]: `../../../${devicePath}` };
  const dirs: string[] = [];
  if (spec.driver !== undefined) {
    dirs.push(`sys/bus/pci/drivers/${spec.driver}`);
    links[`sys/${devicePath}/driver`] = `${up}bus/pci/drivers/${spec.driver}`;
    links[`sys/bus/pci/drivers/${spec.driver}/${spec.address}`] = `../../../../${devicePath}`;
  }
  if (spec.iommuGroup !== undefined) {
    links[`sys/${devicePath}/iommu_group`] = `${up}kernel/iommu_groups/${spec.iommuGroup}`;
    links[`sys/kernel/iommu_groups/${spec.iommuGroup}/devices/${spec.address}`] = `../../../../${devicePath}`;
  }
  return { files, links, dirs };
}

/** Merges fixture fragments; later fragments win on the same path. */
export function mergeHosts(...parts: FixtureHost[]): FixtureHost {
  const merged: FixtureHost = { files: {}, links: {}, dirs: [] };
  for (const part of parts) {
    Object.assign(merged.files!, part.files);
    Object.assign(merged.links!, part.links);
    merged.dirs!.push(...(part.dirs ?? []));
    if (part.hostname !== undefined) merged.hostname = part.hostname;
    if (part.kernelRelease !== undefined) merged.kernelRelease = part.kernelRelease;
  }
  return merged;
}
