import { rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { DEFAULT_ROOTS, HostView } from '../../src/host/host-view.js';
import { isVfioDriver, readIommuGroupMembers, readVfioDevices } from '../../src/host/vfio-devices.js';
import { ScanErrorLog } from '../../src/host/scan-error-log.js';
import { fixtureView, mergeHosts, pciDevice, replaceWithDirectory } from './fixture-view.js';
import { GPU_HOST } from './gpu-host.js';

test('a GPU host: only VFIO-bound devices, sorted, with group viability', (t) => {
  const { view } = fixtureView(t, GPU_HOST);
  t.deepEqual(readVfioDevices(view), [
    { address: '0000:01:00.0', iommuGroup: '1', vendorId: '0x10de', deviceId: '0x1eb8', groupViable: true, cdev: null },
    { address: '0000:01:00.1', iommuGroup: '1', vendorId: '0x10de', deviceId: '0x10f8', groupViable: true, cdev: null },
    { address: '0000:02:00.0', iommuGroup: '2', vendorId: '0x10de', deviceId: '0x2204', groupViable: false, cdev: null },
    { address: '0000:03:00.0', iommuGroup: '3', vendorId: '0x15b3', deviceId: '0x101d', groupViable: true, cdev: null },
    { address: '0000:04:00.0', iommuGroup: null, vendorId: '0x144d', deviceId: '0xa808', groupViable: false, cdev: null },
  ]);
  t.deepEqual(view.errors.entries, []);
});

test('group members are read through the group, bridges included', (t) => {
  const { view } = fixtureView(t, GPU_HOST);
  t.deepEqual(readIommuGroupMembers(view, '1'), ['0000:00:01.0', '0000:01:00.0', '0000:01:00.1']);
  t.is(readIommuGroupMembers(view, '../1'), undefined);
});

test('a bridge driven by the host does not spoil a group, any other host driver does', (t) => {
  const bridgeOnly = mergeHosts(
    pciDevice({ address: '0000:00:01.0', vendor: '0x8086', device: '0x1901', pciClass: '0x060400', driver: 'pcieport', iommuGroup: 1 }),
    pciDevice({ address: '0000:01:00.0', parents: ['0000:00:01.0'], vendor: '0x10de', device: '0x1eb8', pciClass: '0x030200', driver: 'vfio-pci', iommuGroup: 1 }),
  );
  t.true(readVfioDevices(fixtureView(t, bridgeOnly).view)[0]!.groupViable);
  // The same root port reported as a host bridge (class 0x0600): no longer ignorable.
  const hostBridge = mergeHosts(bridgeOnly, { files: { 'sys/devices/pci0000:00/0000:00:01.0/class': '0x060000\n' } });
  t.false(readVfioDevices(fixtureView(t, hostBridge).view)[0]!.groupViable);
});

test('VFIO variant drivers count as VFIO, look-alike names do not', (t) => {
  for (const name of ['vfio-pci', 'mlx5_vfio_pci', 'nvgrace_gpu_vfio_pci', 'hisi_acc_vfio_pci', 'virtio_vfio_pci']) t.true(isVfioDriver(name), name);
  for (const name of ['vfio_pci_core', 'vfio-pci-stub', 'pci-stub', 'snd_hda_intel', 'xvfio-pci2']) t.false(isVfioDriver(name), name);
});

test('a group member that cannot be inspected makes the group not viable and is recorded', (t) => {
  const { view, dir } = fixtureView(t, GPU_HOST);
  // A link that points at itself: listing the member fails with ELOOP, so its driver is unknown.
  const member = path.join(dir, 'sys/kernel/iommu_groups/1/devices/0000:01:00.1');
  rmSync(member);
  symlinkSync('0000:01:00.1', member);
  const group1 = readVfioDevices(view).filter((d) => d.iommuGroup === '1');
  t.deepEqual(group1.map((d) => [d.address, d.groupViable]), [['0000:01:00.0', false], ['0000:01:00.1', false]]);
  t.deepEqual(view.errors.entries.map((e) => [e.stage, e.path, e.code]), [['vfio', '/sys/kernel/iommu_groups/1/devices/0000:01:00.1', 'E_IO']]);
});

test('an unbound member with no files at all still counts as safe', (t) => {
  const { view, dir } = fixtureView(t, GPU_HOST);
  replaceWithDirectory(dir, 'sys/devices/pci0000:00/0000:00:01.0/0000:01:00.1');
  const devices = readVfioDevices(view);
  t.true(devices.find((d) => d.address === '0000:01:00.0')!.groupViable);
  t.false(devices.some((d) => d.address === '0000:01:00.1'));
  t.deepEqual(view.errors.entries, []);
});

test('malformed vendor, unreadable device and a bad group link are recorded, the device is still listed', (t) => {
  const base = 'sys/devices/pci0000:00/0000:05:00.0';
  const { view, dir } = fixtureView(t, mergeHosts(
    pciDevice({ address: '0000:05:00.0', vendor: '0x10de', device: '0x1eb8', pciClass: '0x030200', driver: 'vfio-pci' }),
    { files: { [`${base}/vendor`]: 'nvidia\n' }, links: { [`${base}/iommu_group`]: '../../../kernel/iommu_groups/evil' } },
  ));
  replaceWithDirectory(dir, `${base}/device`);
  t.deepEqual(readVfioDevices(view), [
    { address: '0000:05:00.0', iommuGroup: null, vendorId: null, deviceId: null, groupViable: false, cdev: null },
  ]);
  t.deepEqual(view.errors.entries.map((e) => [e.stage, e.path, e.code]), [
    ['vfio', '/sys/bus/pci/devices/0000:05:00.0/iommu_group', 'E_MALFORMED'],
    ['vfio', '/sys/bus/pci/devices/0000:05:00.0/vendor', 'E_MALFORMED'],
    ['vfio', '/sys/bus/pci/devices/0000:05:00.0/device', 'E_IO'],
  ]);
});

test('a group whose device list cannot be read is not viable and is recorded', (t) => {
  const { view, dir } = fixtureView(t, GPU_HOST);
  replaceWithDirectory(dir, 'sys/kernel/iommu_groups/2');
  // An empty group directory without devices/: the listing fails.
  const devices = readVfioDevices(view);
  t.false(devices.find((d) => d.address === '0000:02:00.0')!.groupViable);
  t.like(view.errors.entries[0], { stage: 'vfio', path: '/sys/kernel/iommu_groups/2/devices', code: 'E_MISSING' });
});

test('live roots: virtio devices only, none bound to VFIO, nothing recorded', (t) => {
  const view = new HostView(DEFAULT_ROOTS, new ScanErrorLog());
  t.true((view.list('sys', 'bus/pci/devices', { stage: 'test' }) ?? []).length > 0);
  t.deepEqual(readVfioDevices(view), []);
  t.deepEqual(view.errors.entries, []);
});
