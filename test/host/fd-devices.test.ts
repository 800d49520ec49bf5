import test from 'ava';
import type { Device } from '../../src/model/report.js';
import { classifyFdTarget, devicesFromFds, mergeDevices } from '../../src/host/proc/fd-devices.js';
import { parseQemuArgs, qemuInventory } from '../../src/argv/qemu-args.js';
import { cloudHypervisorDefaultDevices } from '../../src/argv/cloud-hypervisor-args.js';
import { QEMU_GO_4X } from '../argv/argv-samples.js';

const summary = (devices: readonly Device[]): string[] => devices.map((d) => `${d.class}/${d.backend}/${d.source}`);
const fdMap = (entries: Record<number, string>): Map<number, string> =>
  new Map(Object.entries(entries).map(([fd, target]) => [Number(fd), target]));

test('classifies device nodes, jail prefixes and deleted suffixes', (t) => {
  t.is(classifyFdTarget('/dev/vhost-net')?.kind, 'vhost-net');
  t.is(classifyFdTarget('/dev/vfio/12')?.kind, 'vfio-group');
  t.is(classifyFdTarget('/dev/vfio/noiommu-3')?.kind, 'vfio-group');
  t.is(classifyFdTarget('/dev/vfio/vfio')?.kind, 'vfio-container');
  t.is(classifyFdTarget('/dev/vfio/devices/vfio0')?.kind, 'vfio-cdev');
  t.is(classifyFdTarget('/dev/iommu')?.kind, 'iommufd');
  t.is(classifyFdTarget('/dev/vhost-vdpa-2')?.kind, 'vhost-vdpa');
  t.deepEqual(classifyFdTarget('/run/vc/firecracker/abc/root/dev/net/tun'), { kind: 'tun', node: '/dev/net/tun' });
  t.is(classifyFdTarget('/dev/vhost-vsock (deleted)')?.kind, 'vhost-vsock');
  t.is(classifyFdTarget('socket:[31337]'), null);
  t.is(classifyFdTarget('anon_inode:kvm-vm'), null);
  t.is(classifyFdTarget('/dev/vfio/12abc'), null);
});

test('Kata 4.x QEMU: argv fds are excluded, a hot-plugged VFIO group and net device are added', (t) => {
  const inv = qemuInventory(parseQemuArgs(QEMU_GO_4X));
  const fds = fdMap({
    0: '/dev/null', 3: 'socket:[100]', 4: '/dev/vhost-vsock', 5: '/dev/vhost-net', 6: '/dev/net/tun',
    7: '/dev/kvm', 8: 'anon_inode:kvm-vm', 20: '/dev/vfio/vfio', 21: '/dev/vfio/42', 22: '/dev/vfio/42',
    30: '/dev/vhost-net', 31: '/dev/net/tun',
  });
  const fromFds = devicesFromFds(fds, 'qemu', inv.referencedFds, inv.fdClaims);
  t.deepEqual(summary(fromFds.devices), ['net/vhost-kernel/fd', 'vfio/passthrough/fd']);
  t.is(fromFds.devices.find((d) => d.class === 'vfio')?.id, '/dev/vfio/42');
  t.deepEqual(fromFds.vfioGroups, ['42']);
  t.true(fromFds.vfioContainer);
  t.false(fromFds.iommufd);
  t.is(fromFds.tapCount, 1);
  const merged = mergeDevices(inv.devices, fromFds.devices);
  t.is(merged.length, inv.devices.length + 2, 'hot-plugged devices add to argv devices');
  t.is(merged.filter((d) => d.class === 'net').length, 2);
});

test('claims absorb nodes QEMU opened itself for argv devices', (t) => {
  const inv = qemuInventory(parseQemuArgs(['qemu', '-device', 'vfio-pci,host=3b:00.0', '-device', 'vhost-vsock-pci,guest-cid=3']));
  const fds = fdMap({ 10: '/dev/vfio/vfio', 11: '/dev/vfio/7', 12: '/dev/vhost-vsock', 13: '/dev/vfio/9' });
  const fromFds = devicesFromFds(fds, 'qemu', inv.referencedFds, inv.fdClaims);
  t.deepEqual(fromFds.vfioGroups, ['7', '9'], 'groups are facts, claimed or not');
  t.deepEqual(fromFds.devices.map((d) => d.id), ['/dev/vfio/9'], 'only the group beyond the cold-plugged one is new');
});

test('taps: unpaired ones are userspace net, except under Firecracker', (t) => {
  const fds = fdMap({ 3: '/dev/net/tun', 4: '/dev/net/tun', 5: '/dev/vhost-net' });
  const qemu = devicesFromFds(fds, 'qemu', new Set());
  t.deepEqual(summary(qemu.devices), ['net/vhost-kernel/fd', 'net/vmm/fd']);
  t.is(qemu.tapCount, 2);
  const fc = devicesFromFds(fdMap({ 3: '/run/vc/firecracker/x/root/dev/net/tun' }), 'firecracker', new Set());
  t.deepEqual(fc.devices, []);
  t.is(fc.tapCount, 1);
});

test('iommufd cdevs, vdpa and scsi; duplicates collapse by node', (t) => {
  const fds = fdMap({
    3: '/dev/iommu', 4: '/dev/vfio/devices/vfio0', 5: '/dev/vfio/devices/vfio0', 6: '/dev/vhost-vdpa-0',
    7: '/dev/vhost-scsi', 8: '/dev/vhost-scsi',
  });
  const result = devicesFromFds(fds, 'qemu', new Set([8]));
  t.true(result.iommufd);
  t.deepEqual(result.vfioCdevs, ['/dev/vfio/devices/vfio0']);
  t.deepEqual(summary(result.devices), ['scsi/vhost-kernel/fd', 'vdpa/vhost-kernel/fd', 'vfio/passthrough/fd']);
});

test('fd devices confirm defaults and replace them; extras are added', (t) => {
  const defaults = cloudHypervisorDefaultDevices();
  const fromFds = devicesFromFds(fdMap({ 40: '/dev/net/tun', 41: '/dev/net/tun', 42: '/dev/vfio/5' }), 'cloud-hypervisor', new Set());
  const merged = mergeDevices(defaults, fromFds.devices);
  t.deepEqual(summary(merged), [
    'net/vmm/fd', 'vsock/vmm/default', 'blk/vmm/default', 'console/vmm/default', 'rng/vmm/default',
    'vfio/passthrough/fd', 'net/vmm/fd',
  ]);
  t.deepEqual(mergeDevices([], []), []);
});
