// The configuration resolvers on real trees (temp directories read through HostView and the host source), with
// the hostile shapes an attacker who can write one file under /etc or /opt could make: cycles, glob bombs,
// deep import chains, a symlink loop, a huge file, a FIFO.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { hostConfigSource } from '../../src/host/config-source.js';
import { HostView } from '../../src/host/host-view.js';
import { ScanErrorLog } from '../../src/host/scan-error-log.js';
import { resolveContainerd } from '../../src/inspect/config-resolution/containerd.js';
import { resolveCrio } from '../../src/inspect/config-resolution/crio.js';
import { componentPattern } from '../../src/inspect/config-resolution/glob.js';
import { installDestOf, resolveKataConfig } from '../../src/inspect/config-resolution/kata-order.js';
import { chooseByKernelParams } from '../../src/inspect/config-resolution/sandbox-config.js';
import { memoisedSource, type ConfigSource } from '../../src/inspect/config-resolution/source.js';
import { summariseKataConfig } from '../../src/inspect/kata-config.js';

interface Tree { files?: Record<string, string>; links?: Record<string, string>; dirs?: string[]; fifos?: string[] }

function makeSource(t: { teardown(fn: () => void): void }, tree: Tree): { source: ConfigSource; root: string } {
  const base = mkdtempSync(path.join(tmpdir(), 'config-resolution-'));
  t.teardown(() => rmSync(base, { recursive: true, force: true }));
  const root = path.join(base, 'root');
  mkdirSync(root, { recursive: true });
  const at = (hostPath: string): string => {
    const real = path.join(root, hostPath);
    mkdirSync(path.dirname(real), { recursive: true });
    return real;
  };
  for (const [hostPath, text] of Object.entries(tree.files ?? {})) writeFileSync(at(hostPath), text);
  for (const [hostPath, target] of Object.entries(tree.links ?? {})) symlinkSync(target, at(hostPath));
  for (const dir of tree.dirs ?? []) mkdirSync(at(dir), { recursive: true });
  for (const fifo of tree.fifos ?? []) execFileSync('mkfifo', [at(fifo)]);
  const view = new HostView({ procfs: path.join(base, 'proc'), sysfs: path.join(base, 'sys'), rootfs: root }, new ScanErrorLog());
  return { source: hostConfigSource(view), root };
}

const runtime = (name: string, body: string, plugin = 'io.containerd.cri.v1.runtime'): string =>
  `[plugins."${plugin}".containerd.runtimes.${name}]\n${body}\n`;
const RS_SHIM = '/opt/kata/runtime-rs/bin/containerd-shim-kata-v2';

test('containerd 2.x: relative glob imports, both plugin layouts by each file\'s version, later files win', (t) => {
  const { source } = makeSource(t, { files: {
    '/etc/containerd/config.toml': 'version = 3\nimports = ["conf.d/*.toml", "/opt/kata/containerd/config.d/kata-deploy.toml"]\n' +
      runtime('runc', 'runtime_type = "io.containerd.runc.v2"'),
    '/etc/containerd/conf.d/10-old.toml': `version = 2\n${runtime('kata-qemu', 'runtime_type = "io.containerd.kata-qemu.v2"\nruntime_path = "/opt/kata/bin/containerd-shim-kata-v2"\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.kata-qemu.options]\nConfigPath = "/old.toml"', 'io.containerd.grpc.v1.cri')}`,
    // A version-3 file's grpc.v1.cri table is not where containerd 2.x looks: ignored.
    '/etc/containerd/conf.d/20-ignored.toml': `version = 3\n${runtime('kata-ignored', 'runtime_type = "io.containerd.kata.v2"', 'io.containerd.grpc.v1.cri')}`,
    '/etc/containerd/conf.d/README': 'not matched by *.toml',
    '/opt/kata/containerd/config.d/kata-deploy.toml': `version = 3\n${runtime('kata-qemu', 'runtime_path = "/opt/kata/bin/containerd-shim-kata-v2"\n[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.kata-qemu.options]\nConfigPath = "/new.toml"')}` +
      runtime('kata-qemu-runtime-rs', `runtime_type = "io.containerd.kata-qemu-runtime-rs.v2"\nruntime_path = "${RS_SHIM}"`),
  } });
  const result = resolveContainerd(source);
  t.deepEqual(result.files, ['/etc/containerd/config.toml', '/etc/containerd/conf.d/10-old.toml', '/etc/containerd/conf.d/20-ignored.toml', '/opt/kata/containerd/config.d/kata-deploy.toml']);
  t.deepEqual(result.handlers.map((h) => [h.name, h.runtimeType, h.configPath, h.declaredIn]), [
    ['kata-qemu', 'io.containerd.kata-qemu.v2', '/new.toml', '/opt/kata/containerd/config.d/kata-deploy.toml'],
    ['kata-qemu-runtime-rs', 'io.containerd.kata-qemu-runtime-rs.v2', null, '/opt/kata/containerd/config.d/kata-deploy.toml'],
  ]);
  t.deepEqual(result.problems, []);
});

test('containerd: an import cycle (also spelled through a symlink) ends, each file read once', (t) => {
  const { source } = makeSource(t, {
    files: {
      '/etc/containerd/config.toml': 'version = 3\nimports = ["a.toml"]\n',
      '/etc/containerd/a.toml': 'version = 3\nimports = ["b.toml", "/etc/containerd/config.toml"]\n',
      '/etc/containerd/b.toml': 'version = 3\nimports = ["alias.toml", "./a.toml"]\n',
    },
    links: { '/etc/containerd/alias.toml': 'config.toml' },
  });
  const result = resolveContainerd(source);
  t.deepEqual(result.files, ['/etc/containerd/config.toml', '/etc/containerd/a.toml', '/etc/containerd/b.toml']);
  t.deepEqual(result.problems, []);
});

test('containerd: a glob bomb and a deep import chain are bounded and reported', (t) => {
  const dirs: string[] = [];
  for (let i = 0; i < 12; i++) for (let j = 0; j < 12; j++) dirs.push(`/x/d${i}/e${j}`);
  const chain: Record<string, string> = { '/etc/containerd/config.toml': 'version = 3\nimports = ["/x/*/*/*", "c0.toml"]\n' };
  for (let i = 0; i < 20; i++) chain[`/etc/containerd/c${i}.toml`] = `version = 3\nimports = ["c${i + 1}.toml"]\n`;
  const { source } = makeSource(t, { files: chain, dirs });
  const result = resolveContainerd(source);
  const limits = result.problems.filter((p) => p.code === 'E_LIMIT').map((p) => p.message);
  t.true(limits.some((m) => /matches too much/.test(m)), limits.join('; '));
  t.true(limits.some((m) => /nested deeper than 8/.test(m)), limits.join('; '));
  t.true(result.files.length <= 32);
  t.false(result.files.includes('/etc/containerd/c12.toml'), 'the chain stops at the depth bound');
});

test('containerd: a huge file is refused before parsing, a FIFO is never opened, a bad imports is malformed', (t) => {
  const { source } = makeSource(t, {
    files: {
      '/etc/containerd/config.toml': 'version = 3\nimports = ["/etc/containerd/big.toml", "/etc/containerd/fifo.toml", "/etc/containerd/bad.toml", "/etc/containerd/missing.toml"]\n',
      '/etc/containerd/big.toml': `# ${'x'.repeat(2 * 1024 * 1024)}\n`,
      '/etc/containerd/bad.toml': 'imports = "not-an-array"\n',
    },
    fifos: ['/etc/containerd/fifo.toml'],
  });
  const result = resolveContainerd(source);
  t.deepEqual(result.problems.map((p) => [p.path, p.code]), [
    ['/etc/containerd/big.toml', 'E_TOO_LARGE'],
    ['/etc/containerd/fifo.toml', 'E_MALFORMED'],
    ['/etc/containerd/bad.toml', 'E_MALFORMED'],
    ['/etc/containerd/missing.toml', 'E_MISSING'],
  ]);
});

test('Go glob syntax per component; a pattern Go calls bad is refused', (t) => {
  t.true(componentPattern('*.toml')!.test('.hidden.toml'), 'Go has no dotfile rule');
  t.false(componentPattern('*.toml')!.test('a.toml.bak'));
  t.true(componentPattern('kata-[^x]?.toml')!.test('kata-ab.toml'));
  t.is(componentPattern('[unclosed'), null);
  t.is(componentPattern('trailing\\'), null);
});

test('CRI-O: crio.conf then every regular file of crio.conf.d in lexical order; runtime_config_path only with vm', (t) => {
  const handler = (name: string, body: string): string => `[crio.runtime.runtimes.${name}]\n${body}\n`;
  const { source } = makeSource(t, {
    files: {
      '/etc/crio/crio.conf': handler('runc', 'runtime_path = "/usr/bin/runc"'),
      '/etc/crio/crio.conf.d/99-kata-deploy': handler('kata-qemu', 'runtime_path = "/opt/kata/bin/containerd-shim-kata-v2"\nruntime_type = "vm"\nruntime_config_path = "/final.toml"'),
      // "100-debug" sorts before "99-kata-deploy": the later file wins.
      '/etc/crio/crio.conf.d/100-debug': handler('kata-qemu', 'runtime_config_path = "/overridden.toml"') +
        handler('kata-oci', 'runtime_path = "/opt/kata/bin/containerd-shim-kata-v2"\nruntime_type = "oci"\nruntime_config_path = "/ignored.toml"'),
    },
    dirs: ['/etc/crio/crio.conf.d/50-subdir'],
    fifos: ['/etc/crio/crio.conf.d/60-fifo'],
  });
  const result = resolveCrio(source);
  t.deepEqual(result.files, ['/etc/crio/crio.conf', '/etc/crio/crio.conf.d/100-debug', '/etc/crio/crio.conf.d/99-kata-deploy']);
  t.deepEqual(result.handlers.map((h) => [h.name, h.configPath]), [['kata-qemu', '/final.toml'], ['kata-oci', null]]);
});

test('Kata order: Go takes ConfigPath before KATA_CONF_FILE, runtime-rs the reverse; defaults follow the install', (t) => {
  const { source } = makeSource(t, { files: {
    '/option.toml': '', '/env.toml': '',
    '/opt/kata-dev/share/defaults/kata-containers/configuration.toml': '',
    '/usr/share/defaults/kata-containers/runtime-rs/configuration.toml': '',
  } });
  const go = resolveKataConfig(source, { runtime: 'go', shimPath: null, configPath: '/option.toml', environment: '/env.toml' });
  const rs = resolveKataConfig(source, { runtime: 'rust', shimPath: RS_SHIM, configPath: '/option.toml', environment: '/env.toml' });
  t.deepEqual([go.file, go.source, rs.file, rs.source], ['/option.toml', 'handler-option', '/env.toml', 'environment']);
  const suffixed = resolveKataConfig(source, { runtime: 'go', shimPath: '/opt/kata-dev/bin/containerd-shim-kata-v2', configPath: null, environment: null });
  t.deepEqual([suffixed.file, suffixed.source], ['/opt/kata-dev/share/defaults/kata-containers/configuration.toml', 'default']);
  const rsDefault = resolveKataConfig(source, { runtime: 'rust', shimPath: '/opt/kata-dev/runtime-rs/bin/containerd-shim-kata-v2', configPath: null, environment: null });
  t.is(rsDefault.file, '/usr/share/defaults/kata-containers/runtime-rs/configuration.toml', 'runtime-rs defaults do not follow the install');
  t.is(installDestOf('/opt/kata-dev/runtime-rs/bin/containerd-shim-kata-v2'), '/opt/kata-dev');
  const none = resolveKataConfig(source, { runtime: 'go', shimPath: '/usr/bin/containerd-shim-kata-v2', configPath: null, environment: null });
  t.deepEqual([none.file, none.problems.map((p) => p.code)], [null, ['E_UNRESOLVED']]);
});

test('Kata: symlinks resolved before config.d is read; drop-ins in name order, any name; bad entries named', (t) => {
  const dir = '/opt/kata/share/defaults/kata-containers';
  const { source } = makeSource(t, {
    files: {
      [`${dir}/runtimes/qemu/configuration-qemu.toml`]: '',
      [`${dir}/runtimes/qemu/config.d/20-debug.toml`]: '',
      [`${dir}/runtimes/qemu/config.d/10-installation-prefix.toml`]: '',
      [`${dir}/runtimes/qemu/config.d/50-user-overrides`]: '',
      [`${dir}/config.d/99-next-to-the-link.toml`]: '',
      '/elsewhere.toml': '',
    },
    links: {
      [`${dir}/configuration-qemu.toml`]: 'runtimes/qemu/configuration-qemu.toml',
      [`${dir}/runtimes/qemu/config.d/30-link.toml`]: '/elsewhere.toml',
      '/loop-a.toml': '/loop-b.toml',
      '/loop-b.toml': '/loop-a.toml',
    },
    dirs: [`${dir}/runtimes/qemu/config.d/40-subdir`],
    fifos: [`${dir}/runtimes/qemu/config.d/45-fifo`],
  });
  const go = resolveKataConfig(source, { runtime: 'go', shimPath: null, configPath: `${dir}/configuration-qemu.toml`, environment: null });
  t.is(go.file, `${dir}/runtimes/qemu/configuration-qemu.toml`);
  t.is(go.requested, `${dir}/configuration-qemu.toml`);
  const names = (list: string[]): string[] => list.map((p) => path.posix.basename(p));
  t.deepEqual(names(go.dropIns), ['10-installation-prefix.toml', '20-debug.toml', '30-link.toml', '50-user-overrides']);
  t.deepEqual(go.problems.map((p) => [path.posix.basename(p.path), p.code]), [['40-subdir', 'E_UNRESOLVED'], ['45-fifo', 'E_UNRESOLVED']]);
  const rs = resolveKataConfig(source, { runtime: 'rust', shimPath: RS_SHIM, configPath: `${dir}/configuration-qemu.toml`, environment: null });
  t.false(names(rs.dropIns).includes('30-link.toml'), 'runtime-rs refuses a symlink entry');
  t.true(rs.problems.some((p) => p.path.endsWith('30-link.toml')));
  const loop = resolveKataConfig(source, { runtime: 'go', shimPath: null, configPath: '/loop-a.toml', environment: null });
  t.deepEqual([loop.file, loop.problems.map((p) => p.code)], [null, ['E_UNRESOLVED']]);
  t.regex(loop.problems[0]!.message, /more than 40 symlinks/);
});

test('runtime-rs spellings: seccomp_sandbox is what runtime-rs reads, seccompsandbox what Go reads', (t) => {
  const text = '[hypervisor.qemu]\nseccompsandbox = "on"\nseccomp_sandbox = ""\n';
  const read = (rt: 'go' | 'rust' | null): unknown => {
    const result = summariseKataConfig(text, [], '/c.toml', rt);
    return 'error' in result ? result.error : result.summary.settings['seccompsandbox'];
  };
  t.deepEqual([read('go'), read('rust')], ['on', '']);
  const rsOnly = summariseKataConfig('[hypervisor.qemu]\nseccomp_sandbox = "on"\n', [], '/c.toml', null);
  t.is('summary' in rsOnly ? rsOnly.summary.settings['seccompsandbox'] : undefined, 'on', 'unknown runtime: either spelling');
  const goUnderRs = summariseKataConfig('[hypervisor.qemu]\nseccompsandbox = "on"\n', [], '/c.toml', 'rust');
  t.false('summary' in goUnderRs && 'seccompsandbox' in goUnderRs.summary.settings, 'runtime-rs ignores the Go spelling');
});

test('kernel parameters tell a -debug variant from its base class, and only a unique best match counts', (t) => {
  const cmdline = 'tsc=reliable agent.log=debug initcall_debug console=hvc0'.split(' ');
  const base = { option: 'kata-qemu', kernelParams: 'tsc=reliable' };
  const debug = { option: 'kata-qemu-debug', kernelParams: 'tsc=reliable agent.log=debug initcall_debug' };
  t.is(chooseByKernelParams([base, debug], cmdline), 'kata-qemu-debug');
  t.is(chooseByKernelParams([base, debug], ['tsc=reliable']), 'kata-qemu');
  t.is(chooseByKernelParams([base, { option: 'twin', kernelParams: 'tsc=reliable' }], cmdline), undefined);
});

test('containerd: a drop-in without version counts under every id it migrates from; one newer than the main file is refused', (t) => {
  const { source } = makeSource(t, { files: {
    '/etc/containerd/config.toml': 'version = 2\nimports = ["/etc/containerd/conf.d/*.toml"]\n',
    '/etc/containerd/conf.d/a.toml': runtime('kata-old', 'runtime_type = "io.containerd.kata.v2"', 'cri'),
    '/etc/containerd/conf.d/b.toml': `version = 3\n${runtime('kata-new', 'runtime_type = "io.containerd.kata.v2"')}`,
  } });
  const result = resolveContainerd(source);
  t.deepEqual(result.handlers.map((h) => h.name), ['kata-old', 'kata-new']);
  t.deepEqual(result.problems.map((p) => [p.path, p.code]), [['/etc/containerd/conf.d/b.toml', 'E_MALFORMED']]);
});

test('memoisedSource: one host query per path however many sandboxes resolve through it; same answers; lists are copies', (t) => {
  const { source } = makeSource(t, {
    files: { '/opt/kata/share/defaults/kata-containers/configuration-qemu.toml': '[hypervisor.qemu]\n', '/opt/kata/share/defaults/kata-containers/config.d/10-a.toml': '' },
    links: { '/opt/kata/share/defaults/kata-containers/configuration.toml': 'configuration-qemu.toml' },
  });
  const calls = new Map<string, number>();
  const counted: ConfigSource = {
    kind: (p) => (calls.set(`kind ${p}`, (calls.get(`kind ${p}`) ?? 0) + 1), source.kind(p)),
    readLink: (p) => (calls.set(`readLink ${p}`, (calls.get(`readLink ${p}`) ?? 0) + 1), source.readLink(p)),
    list: (p) => (calls.set(`list ${p}`, (calls.get(`list ${p}`) ?? 0) + 1), source.list(p)),
    readText: (p, max) => (calls.set(`readText ${p}`, (calls.get(`readText ${p}`) ?? 0) + 1), source.readText(p, max)),
  };
  const memo = memoisedSource(counted);
  const inputs = { runtime: 'go' as const, shimPath: '/opt/kata/bin/containerd-shim-kata-v2', configPath: null, environment: null };
  const direct = resolveKataConfig(source, inputs);
  for (let i = 0; i < 50; i++) t.deepEqual(resolveKataConfig(memo, inputs), direct);
  t.is(direct.file, '/opt/kata/share/defaults/kata-containers/configuration-qemu.toml');
  t.deepEqual(direct.dropIns, ['/opt/kata/share/defaults/kata-containers/config.d/10-a.toml']);
  t.true(calls.size > 0);
  for (const [call, count] of calls) t.is(count, 1, call);
  const listed = memo.list('/opt/kata/share/defaults/kata-containers')!;
  listed.length = 0;
  t.true(memo.list('/opt/kata/share/defaults/kata-containers')!.length > 0);
  t.deepEqual(memo.readText('/nope.toml', 10), memo.readText('/nope.toml', 10));
  t.is(calls.get('readText /nope.toml'), 1);
});
