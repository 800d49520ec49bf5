import test from 'ava';
import { summariseKataConfig } from '../../src/inspect/kata-config.js';
import { CONFIGURATION_FC, CONFIGURATION_QEMU, CONFIGURATION_RS_DRAGONBALL, DROP_IN_DEBUG } from './kata-config-samples.js';

const MAIN = '/opt/kata/share/defaults/kata-containers/configuration-qemu.toml';
const DROP = '/opt/kata/share/defaults/kata-containers/config.d/50-debug.toml';

test('configuration-qemu.toml: flat settings from the hypervisor, runtime and agent sections', (t) => {
  const result = summariseKataConfig(CONFIGURATION_QEMU, [], MAIN);
  if ('error' in result) return t.fail(result.error);
  const { summary } = result;
  t.is(summary.path, MAIN);
  t.is(summary.hypervisor, 'qemu');
  t.deepEqual(summary.dropIns, []);
  t.false(summary.inUse);
  const s = summary.settings;
  t.is(s.path, '/opt/kata/bin/qemu-system-x86_64');
  t.is(s.seccompsandbox, '');
  t.is(s.disable_vhost_net, false);
  t.is(s.shared_fs, 'virtio-fs');
  t.deepEqual(s.virtio_fs_extra_args, ['--thread-pool-size=1', '--announce-submounts']);
  t.deepEqual(s.enable_annotations, ['enable_iommu', 'virtio_fs_extra_args', 'kernel_params']);
  t.is(s.virtio_fs_cache_size, 0);
  t.is(s.hot_plug_vfio, 'no-port');
  t.is(s.enable_debug, false);
  t.is(s['runtime.enable_debug'], false);
  t.is(s['agent.enable_debug'], false);
  t.is(s.debug_console_enabled, false);
  t.is(s.disable_guest_seccomp, true);
  t.is(s.sandbox_cgroup_only, false);
  t.is(s.enable_pprof, false);
  t.is(s['runtime.disable_selinux'], undefined, 'only keys present in the file');
  t.false('kernel' in s, 'keys outside the exposure list are left out');
  t.false('dial_timeout' in s);
  t.false('enable_template' in s);
  t.deepEqual(result.allowedExecutables, ['/opt/kata/bin/qemu-system-x86_64', '/opt/kata/libexec/virtiofsd']);
});

test('drop-ins override in order', (t) => {
  const later = { path: `${DROP}-2`, text: '[hypervisor.qemu]\nenable_debug = false\n' };
  const result = summariseKataConfig(CONFIGURATION_QEMU, [{ path: DROP, text: DROP_IN_DEBUG }, later], MAIN);
  if ('error' in result) return t.fail(result.error);
  const s = result.summary.settings;
  t.deepEqual(result.summary.dropIns, [DROP, `${DROP}-2`]);
  t.is(s.enable_debug, false, 'the later drop-in wins');
  t.is(s['runtime.enable_debug'], true);
  t.is(s.debug_console_enabled, true);
  t.is(s.seccompsandbox, 'on,obsolete=deny,spawn=deny,resourcecontrol=deny');
  t.is(s.shared_fs, 'virtio-fs', 'untouched keys stay');
  t.deepEqual(result.allowedExecutables, [
    '/opt/kata/bin/qemu-system-x86_64', '/usr/local/bin/qemu-*', '/opt/kata/libexec/virtiofsd',
  ]);
});

test('runtime-rs: hypervisor_name picks the section; nested network_info keys are read', (t) => {
  const result = summariseKataConfig(CONFIGURATION_RS_DRAGONBALL, [], '/opt/kata/share/defaults/kata-containers/runtime-rs/configuration-dragonball.toml');
  if ('error' in result) return t.fail(result.error);
  t.is(result.summary.hypervisor, 'dragonball');
  t.is(result.summary.settings.shared_fs, 'inline-virtio-fs');
  t.is(result.summary.settings.disable_vhost_net, true);
  t.is(result.summary.settings.hypervisor_name, 'dragonball');
  t.deepEqual(result.allowedExecutables, ['/opt/kata/bin/dragonball']);
});

test('firecracker: jailer paths are allowed executables', (t) => {
  const result = summariseKataConfig(CONFIGURATION_FC, [], '/x/configuration-fc.toml');
  if ('error' in result) return t.fail(result.error);
  t.is(result.summary.hypervisor, 'firecracker');
  t.deepEqual(result.allowedExecutables, ['/opt/kata/bin/firecracker', '/opt/kata/bin/jailer']);
});

test('malformed TOML in the file or a drop-in is an error naming that file, quoting nothing', (t) => {
  const bad = summariseKataConfig('[hypervisor.qemu\npath = "secret-value"\n', [], MAIN);
  t.true('error' in bad);
  if ('error' in bad) {
    t.is(bad.errorPath, MAIN);
    t.regex(bad.error, /line \d+, column \d+/);
    t.false(bad.error.includes('secret-value'));
  }
  const badDropIn = summariseKataConfig(CONFIGURATION_QEMU, [{ path: DROP, text: 'enable_debug = = true' }], MAIN);
  t.true('error' in badDropIn);
  if ('error' in badDropIn) t.is(badDropIn.errorPath, DROP);
});

test('odd but valid files', (t) => {
  const empty = summariseKataConfig('', [], '/e.toml');
  if ('error' in empty) return t.fail(empty.error);
  t.is(empty.summary.hypervisor, null);
  t.deepEqual(empty.summary.settings, {});
  t.deepEqual(empty.allowedExecutables, []);
  const odd = summariseKataConfig('hypervisor = 3\n[runtime]\nsandbox_cgroup_only = true\n__proto__ = 1\n', [], '/o.toml');
  if ('error' in odd) return t.fail(odd.error);
  t.is(odd.summary.hypervisor, null);
  t.is(odd.summary.settings.sandbox_cgroup_only, true);
  const dated = summariseKataConfig('[hypervisor.qemu]\npath = 1979-05-27T07:32:00Z\n', [], '/d.toml');
  if ('error' in dated) return t.fail(dated.error);
  t.is(dated.summary.settings.path, '1979-05-27T07:32:00.000Z');
  t.deepEqual(dated.allowedExecutables, [], 'a date is not a path');
});
