import test from 'ava';
import { DRAGONBALL_HOTPLUG, dragonballDefaultDevices, isDragonballThreadName, looksLikeDragonball } from '../../src/components/dragonball-devices.js';
import { devicesFromFds } from '../../src/host/proc/fd-devices.js';

test('thread names', (t) => {
  t.true(isDragonballThreadName('vmm_master'));
  t.true(isDragonballThreadName('db_vcpu0'));
  t.true(isDragonballThreadName('blk_iothread_q1'));
  t.true(isDragonballThreadName('db_vcpu12\n'));
  t.false(isDragonballThreadName('containerd-shim'));
  t.false(isDragonballThreadName('vcpu0'));
  t.false(isDragonballThreadName('xdb_vcpu0'));
  t.true(looksLikeDragonball(['containerd-shim', 'tokio-runtime-w', 'vmm_master']));
  t.false(looksLikeDragonball(['containerd-shim', 'tokio-runtime-w']));
  t.false(looksLikeDragonball([]));
});

test('default devices: vhost-net unless the fds show taps without it', (t) => {
  const kinds = (devices: ReturnType<typeof dragonballDefaultDevices>) => devices.map((d) => `${d.class}/${d.backend}`);
  t.deepEqual(kinds(dragonballDefaultDevices(null)), ['net/vhost-kernel', 'vsock/vmm', 'blk/vmm', 'fs/in-process']);
  const tapsOnly = devicesFromFds(new Map([[30, '/dev/net/tun']]), 'dragonball', new Set());
  t.is(dragonballDefaultDevices(tapsOnly)[0]?.backend, 'vmm');
  const withVhost = devicesFromFds(new Map([[30, '/dev/net/tun'], [31, '/dev/vhost-net']]), 'dragonball', new Set());
  t.is(dragonballDefaultDevices(withVhost)[0]?.backend, 'vhost-kernel');
  const nothing = devicesFromFds(new Map([[3, '/dev/kvm']]), 'dragonball', new Set());
  t.is(dragonballDefaultDevices(nothing)[0]?.backend, 'vhost-kernel', 'no taps yet: keep the Kata default');
  t.true(dragonballDefaultDevices(null).every((d) => d.source === 'default'));
  t.deepEqual({ ...DRAGONBALL_HOTPLUG }, { cpu: true, memory: true, pci: true });
});
