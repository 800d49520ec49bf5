import test from 'ava';
import { DEFAULT_ROOTS, HostView } from '../../src/host/host-view.js';
import { AUDITED_MODULES, parseProcModules, readKernelModules } from '../../src/host/kernel-modules.js';
import { ScanErrorLog } from '../../src/host/scan-error-log.js';
import type { KernelModule } from '../../src/model/report.js';
import { fixtureView, replaceWithDirectory } from './fixture-view.js';

// A KVM host with a GPU handed to guests, as an unprivileged reader sees it (kptr_restrict zeroes addresses).
const PROC_MODULES = [
  'nvidia 56606720 0 - Live 0x0000000000000000 (POE)',
  'vhost_net 36864 1 - Live 0x0000000000000000',
  'tap 28672 1 vhost_net, Live 0x0000000000000000',
  'vhost 57344 1 vhost_net, Live 0x0000000000000000',
  'vhost_iotlb 16384 1 vhost, Live 0x0000000000000000',
  'vfio_pci 16384 0 - Live 0x0000000000000000',
  'vfio_pci_core 94208 1 vfio_pci, Live 0x0000000000000000',
  'vfio_iommu_type1 49152 0 - Live 0x0000000000000000',
  'vfio 69632 4 vfio_pci,vfio_pci_core,vfio_iommu_type1, Live 0x0000000000000000',
  'iommufd 98304 1 vfio, Live 0x0000000000000000',
  'irqbypass 12288 2 vfio_pci_core,kvm, Live 0x0000000000000000',
  'kvm_intel 487424 0 - Live 0x0000000000000000',
  'kvm 1409024 1 kvm_intel, Live 0x0000000000000000',
  '',
].join('\n');

const LOADED = ['vhost_net', 'vhost', 'vhost_iotlb', 'vfio_pci', 'vfio_pci_core', 'vfio_iommu_type1', 'vfio', 'kvm_intel', 'kvm'];

/** /sys/module/<name> for a loaded module: initstate, refcnt and (usually) parameters. */
function loadedModuleFiles(names: string[]): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of names) {
    files[`sys/module/${name}/initstate`] = 'live\n';
    files[`sys/module/${name}/refcnt`] = '1\n';
  }
  return files;
}

function states(modules: KernelModule[]): Record<string, string> {
  return Object.fromEntries(modules.map((m) => [m.name, m.state]));
}

test('parseProcModules reads name and state, with taint flags, deps lists and every state', (t) => {
  const modules = parseProcModules([
    'nvidia 56606720 0 - Live 0xffffffffc1000000 (POE)',
    'vhost 57344 1 vhost_net, Unloading 0x0000000000000000',
    'vfio 69632 4 vfio_pci,vfio_pci_core,vfio_iommu_type1, Loading 0x0000000000000000',
    // CONFIG_MODULE_UNLOAD off: no reference count and no dependency list.
    'kvm 1409024 - - Live 0x0000000000000000',
    'not a module line',
    '',
  ].join('\n'));
  t.deepEqual([...modules.entries()], [
    ['nvidia', { state: 'Live' }],
    ['vhost', { state: 'Unloading' }],
    ['vfio', { state: 'Loading' }],
    ['kvm', { state: 'Live' }],
  ]);
});

test('a host with modules loaded: /proc/modules decides, absent ones are absent', (t) => {
  const { view } = fixtureView(t, { files: { 'proc/modules': PROC_MODULES, ...loadedModuleFiles(LOADED) } });
  const modules = readKernelModules(view);
  t.deepEqual(modules.map((m) => m.name), [...AUDITED_MODULES]);
  t.deepEqual(states(modules), {
    vhost: 'loaded', vhost_net: 'loaded', vhost_vsock: 'absent', vhost_scsi: 'absent', vhost_vdpa: 'absent', vhost_iotlb: 'loaded',
    vfio: 'loaded', vfio_pci: 'loaded', vfio_pci_core: 'loaded', vfio_iommu_type1: 'loaded',
    kvm: 'loaded', kvm_intel: 'loaded', kvm_amd: 'absent',
  });
  t.deepEqual(view.errors.entries, []);
});

test('a built-in module on a modular kernel: /sys/module/<name> without initstate', (t) => {
  const { view } = fixtureView(t, {
    files: {
      'proc/modules': 'kvm_amd 200704 0 - Live 0x0000000000000000\nkvm 1409024 1 kvm_amd, Live 0x0000000000000000\n',
      ...loadedModuleFiles(['kvm', 'kvm_amd']),
      'sys/module/vfio/parameters/enable_unsafe_noiommu_mode': 'N\n',
      'sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts': 'N\n',
    },
  });
  const s = states(readKernelModules(view));
  t.is(s.vfio, 'builtin');
  t.is(s.vfio_iommu_type1, 'builtin');
  t.is(s.kvm_amd, 'loaded');
  t.is(s.kvm_intel, 'absent');
  t.deepEqual(view.errors.entries, []);
});

test('CONFIG_MODULES off (this machine): no /proc/modules, every /sys/module entry is built in, no error', (t) => {
  const { view } = fixtureView(t, {
    files: {
      'sys/module/kvm/parameters/kvmclock_periodic_sync': 'Y\n',
      'sys/module/kvm/parameters/halt_poll_ns': '200000\n',
    },
    dirs: ['sys/module/kvm_pvm/parameters', 'sys/module/fuse/parameters'],
  });
  const s = states(readKernelModules(view));
  t.is(s.kvm, 'builtin');
  t.deepEqual(Object.entries(s).filter(([, state]) => state !== 'absent'), [['kvm', 'builtin']]);
  t.deepEqual(view.errors.entries, []);
});

test('a parameterless built-in has no /sys/module entry: modules.builtin of the running release names it', (t) => {
  const { view } = fixtureView(t, {
    kernelRelease: '6.8.0-45-generic',
    files: {
      'proc/modules': 'kvm_intel 487424 0 - Live 0x0000000000000000\n',
      'root/usr/lib/modules/6.8.0-45-generic/modules.builtin': 'kernel/drivers/vhost/vhost_iotlb.ko\nkernel/drivers/vhost/vhost_vsock.ko\nkernel/fs/ext4/ext4.ko\n',
      // Another release's list must not count.
      'root/usr/lib/modules/6.5.0-1-generic/modules.builtin': 'kernel/drivers/vhost/vhost_scsi.ko\n',
    },
  });
  const s = states(readKernelModules(view));
  t.is(s.vhost_vsock, 'builtin');
  t.is(s.vhost_iotlb, 'builtin');
  t.is(s.vhost_scsi, 'absent');
  t.is(s.kvm_intel, 'loaded');
  t.deepEqual(view.errors.entries, []);
});

test('a module loaded after /proc/modules was read counts as loaded through its initstate', (t) => {
  const { view } = fixtureView(t, {
    files: { 'proc/modules': PROC_MODULES, ...loadedModuleFiles([...LOADED, 'vhost_vsock']) },
  });
  t.is(states(readKernelModules(view)).vhost_vsock, 'loaded');
});

test('/proc/modules that cannot be read is recorded and sysfs still answers', (t) => {
  const { view, dir } = fixtureView(t, { files: { 'proc/modules': PROC_MODULES, ...loadedModuleFiles(['vhost_net']) } });
  replaceWithDirectory(dir, 'proc/modules');
  const s = states(readKernelModules(view));
  t.is(s.vhost_net, 'loaded');
  t.is(s.vhost, 'absent');
  t.is(view.errors.entries.length, 1);
  t.like(view.errors.entries[0], { stage: 'kernel-modules', path: '/proc/modules', code: 'E_IO' });
});

test('malformed /proc/modules lines are counted in one E_MALFORMED error, good lines still count', (t) => {
  const { view } = fixtureView(t, {
    files: { 'proc/modules': `garbage\nvhost_net thirty 1 - Live 0x0\n${PROC_MODULES}` },
  });
  t.is(states(readKernelModules(view)).vhost_net, 'loaded');
  t.is(view.errors.entries.length, 1);
  t.like(view.errors.entries[0], { stage: 'kernel-modules', path: '/proc/modules', code: 'E_MALFORMED' });
  t.regex(view.errors.entries[0]!.message, /^2 line/);
});

test('live roots: this kernel has no /proc/modules, kvm is built in, nothing is "loaded"', (t) => {
  const view = new HostView(DEFAULT_ROOTS, new ScanErrorLog());
  const modules = readKernelModules(view);
  t.deepEqual(modules.map((m) => m.name), [...AUDITED_MODULES]);
  t.false(view.exists('proc', 'modules'));
  t.is(states(modules).kvm, 'builtin');
  t.true(modules.every((m) => m.state === 'builtin' || m.state === 'absent'));
  t.deepEqual(view.errors.entries, []);
});
