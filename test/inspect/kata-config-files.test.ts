import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { HostView } from '../../src/host/host-view.js';
import { ScanErrorLog } from '../../src/host/scan-error-log.js';
import { readKataConfigs, type ShimConfigInput } from '../../src/inspect/kata-config-files.js';
import { CONFIGURATION_FC, CONFIGURATION_QEMU, CONFIGURATION_RS_DRAGONBALL, DROP_IN_DEBUG } from './kata-config-samples.js';

const DEFAULTS = '/opt/kata/share/defaults/kata-containers';
const GO_SHIM = '/opt/kata/bin/containerd-shim-kata-v2';

function shim(sandboxId: string, extra: Partial<ShimConfigInput> = {}): ShimConfigInput {
  return { sandboxId, shimExe: GO_SHIM, kataConfFile: null, handlerAnnotation: null, kernelCmdline: null, vmm: 'qemu', ...extra };
}

function makeRoot(files: Record<string, string>, links: Record<string, string> = {}): { view: HostView; cleanup: () => void } {
  const base = mkdtempSync(path.join(tmpdir(), 'kata-config-'));
  const root = path.join(base, 'root');
  for (const [hostPath, content] of Object.entries(files)) {
    const real = path.join(root, hostPath);
    mkdirSync(path.dirname(real), { recursive: true });
    writeFileSync(real, content);
  }
  for (const [hostPath, target] of Object.entries(links)) {
    const real = path.join(root, hostPath);
    mkdirSync(path.dirname(real), { recursive: true });
    symlinkSync(target, real);
  }
  const view = new HostView({ procfs: path.join(base, 'proc'), sysfs: path.join(base, 'sys'), rootfs: root }, new ScanErrorLog());
  return { view, cleanup: () => rmSync(base, { recursive: true, force: true }) };
}

test('kata-deploy layout: shipped configs, per-handler copies, runtime-rs, drop-ins, shim-named file', (t) => {
  const { view, cleanup } = makeRoot({
    [`${DEFAULTS}/configuration-qemu.toml`]: CONFIGURATION_QEMU,
    [`${DEFAULTS}/configuration-fc.toml`]: CONFIGURATION_FC,
    [`${DEFAULTS}/config.d/50-debug.toml`]: DROP_IN_DEBUG,
    [`${DEFAULTS}/config.d/10-first.toml`]: '[runtime]\nenable_pprof = true\n',
    [`${DEFAULTS}/config.d/README`]: 'not a drop-in',
    [`${DEFAULTS}/runtimes/qemu/configuration-qemu.toml`]: CONFIGURATION_QEMU,
    [`${DEFAULTS}/runtime-rs/configuration-dragonball.toml`]: CONFIGURATION_RS_DRAGONBALL,
    [`${DEFAULTS}/unrelated.toml`]: 'x = 1',
  }, { [`${DEFAULTS}/configuration.toml`]: 'configuration-qemu.toml' });
  t.teardown(cleanup);
  const shimPath = `${DEFAULTS}/runtimes/qemu/configuration-qemu.toml`;
  const { summaries, allowedExecutables, sandboxes } = readKataConfigs(view, [shim('a', { kataConfFile: shimPath })]);
  t.deepEqual(summaries.map((s) => s.path), [
    shimPath,
    `${DEFAULTS}/configuration-fc.toml`,
    `${DEFAULTS}/configuration-qemu.toml`,
    // configuration.toml is a symlink to configuration-qemu.toml: one file, listed once.
    `${DEFAULTS}/runtime-rs/configuration-dragonball.toml`,
  ]);
  t.deepEqual(summaries[0]?.sandboxes, ['a']);
  t.like(sandboxes.get('a'), { handler: null, file: shimPath, source: 'environment', dropIns: [] });
  t.deepEqual(summaries.map((s) => s.inUse), [true, false, false, false]);
  const qemu = summaries.find((s) => s.path === `${DEFAULTS}/configuration-qemu.toml`);
  t.deepEqual(qemu?.dropIns, [`${DEFAULTS}/config.d/10-first.toml`, `${DEFAULTS}/config.d/50-debug.toml`]);
  t.is(qemu?.settings.enable_debug, true);
  t.is(qemu?.settings.enable_pprof, true);
  t.deepEqual(summaries[0]?.dropIns, [], 'the per-handler copy has no config.d of its own');
  t.is(summaries[0]?.settings.enable_debug, false);
  t.deepEqual(allowedExecutables, [
    '/opt/kata/bin/qemu-system-x86_64', '/opt/kata/libexec/virtiofsd', '/opt/kata/bin/firecracker',
    '/opt/kata/bin/jailer', '/usr/local/bin/qemu-*', '/opt/kata/bin/dragonball',
  ]);
  // config.d/README is a drop-in to Kata too (no extension filter), and it is no TOML: reported once.
  t.deepEqual(view.errors.toList().map((e) => [e.path, e.code]), [[`${DEFAULTS}/config.d/README`, 'E_MALFORMED']]);
});

test('/etc override is in use; malformed TOML is recorded, not thrown; a missing shim file is recorded', (t) => {
  const { view, cleanup } = makeRoot({
    '/etc/kata-containers/configuration.toml': CONFIGURATION_QEMU,
    '/usr/share/defaults/kata-containers/configuration.toml': '[hypervisor.qemu\n',
    '/usr/share/kata-containers/defaults/configuration.toml': CONFIGURATION_FC,
    '/etc/kata-containers/config.d/99-broken.toml': 'a = ',
  });
  t.teardown(cleanup);
  const { summaries, sandboxes } = readKataConfigs(view, [shim('a', { kataConfFile: '/etc/kata/missing.toml' }), shim('b', { kataConfFile: 'relative.toml' })]);
  // Both shims name a file that is not there: neither falls back to the /etc override (Kata would fail).
  t.deepEqual(summaries.map((s) => [s.path, s.inUse]), [
    ['/etc/kata-containers/configuration.toml', false],
    ['/usr/share/kata-containers/defaults/configuration.toml', false],
  ]);
  t.like(sandboxes.get('a'), { file: null, requested: '/etc/kata/missing.toml', source: 'environment' });
  t.like(sandboxes.get('b'), { file: null, requested: 'relative.toml' });
  const errors = view.errors.toList();
  t.deepEqual(errors.map((e) => [e.stage, e.path, e.code]), [
    ['kata-config', '/etc/kata/missing.toml', 'E_UNRESOLVED'],
    ['kata-config', 'relative.toml', 'E_UNRESOLVED'],
    ['kata-config', '/etc/kata-containers/config.d/99-broken.toml', 'E_MALFORMED'],
    ['kata-config', '/usr/share/defaults/kata-containers/configuration.toml', 'E_MALFORMED'],
  ]);
});

test('an /etc override with a valid drop-in is in use', (t) => {
  const { view, cleanup } = makeRoot({
    '/etc/kata-containers/configuration.toml': CONFIGURATION_QEMU,
    '/etc/kata-containers/config.d/50-debug.toml': DROP_IN_DEBUG,
  });
  t.teardown(cleanup);
  const { summaries } = readKataConfigs(view, []);
  t.is(summaries.length, 1);
  t.true(summaries[0]?.inUse);
  t.is(summaries[0]?.settings.debug_console_enabled, true);
});

test('an empty host has no configs and no errors', (t) => {
  const { view, cleanup } = makeRoot({});
  t.teardown(cleanup);
  t.deepEqual(readKataConfigs(view, []), { summaries: [], allowedExecutables: [], sandboxes: new Map() });
  t.deepEqual(view.errors.toList(), []);
});

test('containerd runtime options name the configuration in use (kata-deploy writes ConfigPath)', (t) => {
  const handlerPath = `${DEFAULTS}/runtimes/qemu/configuration-qemu.toml`;
  const { view, cleanup } = makeRoot({
    [handlerPath]: CONFIGURATION_QEMU,
    [`${DEFAULTS}/configuration-fc.toml`]: CONFIGURATION_FC,
    '/etc/containerd/config.toml': [
      'version = 2',
      '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.kata-qemu]',
      'runtime_type = "io.containerd.kata-qemu.v2"',
      `[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.kata-qemu.options]`,
      `ConfigPath = "${handlerPath}"`,
      '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]',
      'runtime_type = "io.containerd.runc.v2"',
    ].join('\n'),
  });
  t.teardown(cleanup);
  const { summaries } = readKataConfigs(view, []);
  t.deepEqual(summaries.map((s) => [s.path, s.inUse, s.handlers]), [[handlerPath, true, ['kata-qemu']], [`${DEFAULTS}/configuration-fc.toml`, false, []]]);
});

test('installs side by side: /opt/kata-<suffix> files are found, its shim is allowed, its handler resolves there', (t) => {
  const dev = '/opt/kata-dev/share/defaults/kata-containers';
  const { view, cleanup } = makeRoot({
    [`${dev}/runtimes/qemu/configuration-qemu.toml`]: CONFIGURATION_QEMU,
    [`${dev}/runtimes/qemu/config.d/10-installation-prefix.toml`]: '[hypervisor.qemu]\npath = "/opt/kata-dev/bin/qemu-system-x86_64-dev-installation-prefix"\n',
    [`${DEFAULTS}/configuration-fc.toml`]: CONFIGURATION_FC,
    '/etc/crio/crio.conf.d/99-kata-deploy-dev': [
      '[crio.runtime.runtimes.kata-qemu-dev]',
      'runtime_path = "/opt/kata-dev/bin/containerd-shim-kata-v2"',
      'runtime_type = "vm"',
      `runtime_config_path = "${dev}/runtimes/qemu/configuration-qemu.toml"`,
      '[crio.runtime.runtimes.kata-evil]',
      'runtime_path = "/opt/*/containerd-shim-kata-v2"',
      'runtime_type = "vm"',
    ].join('\n'),
  });
  t.teardown(cleanup);
  const { summaries, allowedExecutables, sandboxes } = readKataConfigs(view, [shim('a', { shimExe: '/opt/kata-dev/bin/containerd-shim-kata-v2' })]);
  t.deepEqual(summaries.map((s) => [s.path, s.inUse, s.handlers, s.sandboxes]), [
    [`${dev}/runtimes/qemu/configuration-qemu.toml`, true, ['kata-qemu-dev'], ['a']],
    [`${DEFAULTS}/configuration-fc.toml`, false, [], []],
  ]);
  t.is(summaries[0]?.settings.path, '/opt/kata-dev/bin/qemu-system-x86_64-dev-installation-prefix', 'the prefix drop-in applies');
  t.true(allowedExecutables.includes('/opt/kata-dev/bin/containerd-shim-kata-v2'));
  t.false(allowedExecutables.some((exe) => exe.includes('*')), 'a glob in runtime_path never widens the allow-list');
  t.like(sandboxes.get('a'), { handler: 'kata-qemu-dev', handlerFrom: 'runtime-path', source: 'handler-option' });
});

test('a containerd handler without runtime_path starts the shim named after its runtime_type', (t) => {
  const handlerPath = `${DEFAULTS}/runtimes/clh/configuration-clh.toml`;
  const { view, cleanup } = makeRoot({
    [handlerPath]: CONFIGURATION_QEMU,
    '/etc/containerd/config.toml': [
      'version = 2',
      '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.kata-clh]',
      'runtime_type = "io.containerd.kata-clh.v2"',
      '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.kata-clh.options]',
      `ConfigPath = "${handlerPath}"`,
    ].join('\n'),
  });
  t.teardown(cleanup);
  const { sandboxes } = readKataConfigs(view, [shim('a', { shimExe: '/usr/local/bin/containerd-shim-kata-clh-v2' }), shim('b', { shimExe: '/usr/local/bin/containerd-shim-kata-fc-v2' })]);
  t.like(sandboxes.get('a'), { handler: 'kata-clh', file: handlerPath, source: 'handler-option' });
  t.like(sandboxes.get('b'), { handler: null, candidates: [], source: null }, 'no handler starts that shim: Go defaults, none exists');
});
