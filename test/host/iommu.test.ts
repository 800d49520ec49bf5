import test from 'ava';
import { DEFAULT_ROOTS, HostView } from '../../src/host/host-view.js';
import { readIommuState } from '../../src/host/iommu.js';
import { ScanErrorLog } from '../../src/host/scan-error-log.js';
import { fixtureView, replaceWithDirectory } from './fixture-view.js';
import { GPU_HOST } from './gpu-host.js';

test('a GPU host: IOMMU on, unsafe interrupts allowed, no-IOMMU mode off', (t) => {
  const { view } = fixtureView(t, GPU_HOST);
  t.deepEqual(readIommuState(view), { enabled: true, vfioUnsafeInterrupts: true, vfioNoIommu: false, iommufdUnsafeInterrupts: false });
  t.deepEqual(view.errors.entries, []);
});

test('a host without IOMMU or VFIO: everything off, nothing recorded', (t) => {
  const { view } = fixtureView(t, { dirs: ['sys/kernel/iommu_groups', 'sys/class/iommu'] });
  t.deepEqual(readIommuState(view), { enabled: false, vfioUnsafeInterrupts: false, vfioNoIommu: false, iommufdUnsafeInterrupts: false });
  t.deepEqual(view.errors.entries, []);
});

test('IOMMU groups alone, or IOMMU units alone, mean enabled; "1" counts as on for no-IOMMU mode', (t) => {
  const groups = fixtureView(t, { dirs: ['sys/kernel/iommu_groups/0/devices'] }).view;
  t.true(readIommuState(groups).enabled);
  const units = fixtureView(t, { dirs: ['sys/class/iommu/ivhd0'], files: { 'sys/module/vfio/parameters/enable_unsafe_noiommu_mode': '1\n' } }).view;
  t.deepEqual(readIommuState(units), { enabled: true, vfioUnsafeInterrupts: false, vfioNoIommu: true, iommufdUnsafeInterrupts: false });
});

test('an unreadable or malformed parameter is recorded and counts as off', (t) => {
  const { view, dir } = fixtureView(t, {
    files: {
      'sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts': 'Y\n',
      'sys/module/vfio/parameters/enable_unsafe_noiommu_mode': 'maybe\n',
    },
  });
  replaceWithDirectory(dir, 'sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts');
  t.deepEqual(readIommuState(view), { enabled: false, vfioUnsafeInterrupts: false, vfioNoIommu: false, iommufdUnsafeInterrupts: false });
  t.deepEqual(view.errors.entries.map((e) => [e.stage, e.path, e.code]), [
    ['iommu', '/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts', 'E_IO'],
    ['iommu', '/sys/module/vfio/parameters/enable_unsafe_noiommu_mode', 'E_MALFORMED'],
  ]);
});

test('live roots: no IOMMU groups here, so the IOMMU is off and no error is recorded', (t) => {
  const view = new HostView(DEFAULT_ROOTS, new ScanErrorLog());
  t.deepEqual(readIommuState(view), { enabled: false, vfioUnsafeInterrupts: false, vfioNoIommu: false, iommufdUnsafeInterrupts: false });
  t.deepEqual(view.errors.entries, []);
});

test('iommufd keeps its own allow_unsafe_interrupts for devices bound through a VFIO cdev', (t) => {
  const { view } = fixtureView(t, { dirs: ['sys/kernel/iommu_groups/0/devices'], files: { 'sys/module/iommufd/parameters/allow_unsafe_interrupts': 'Y\n' } });
  t.deepEqual(readIommuState(view), { enabled: true, vfioUnsafeInterrupts: false, vfioNoIommu: false, iommufdUnsafeInterrupts: true });
});
