// Issue 9 items 6-8: what the rooted view opens under --path.rootfs cannot block it, lead it outside the root,
// or blow its stack through the configuration merge.
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { HostView } from '../../src/host/host-view.js';
import { ScanErrorLog } from '../../src/host/scan-error-log.js';
import { summariseKataConfig } from '../../src/inspect/kata-config.js';

function tempRoot(t: ExecutionContext): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'kata-audit-root-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('a FIFO or a device named as a configuration file is refused without blocking', (t) => {
  const dir = tempRoot(t);
  const root = path.join(dir, 'root');
  mkdirSync(path.join(root, 'etc'), { recursive: true });
  execFileSync('mkfifo', [path.join(root, 'etc/fifo.toml')]);
  const errors = new ScanErrorLog();
  const view = new HostView({ procfs: '/proc', sysfs: '/sys', rootfs: root }, errors);
  // Without O_NONBLOCK this open() waits for a writer forever, on the main thread.
  t.is(view.readText('root', '/etc/fifo.toml', { stage: 'kata-config' }), undefined);
  const live = new HostView({ procfs: '/proc', sysfs: '/sys', rootfs: '/' }, errors);
  t.is(live.readText('root', '/dev/null', { stage: 'kata-config' }), undefined);
  t.deepEqual(errors.toList().map((e) => [e.path, e.code, e.message]), [
    ['/etc/fifo.toml', 'E_MALFORMED', 'not a regular file; not read'],
    ['/dev/null', 'E_MALFORMED', 'not a regular file; not read'],
  ]);
});

test('a directory swapped for a symlink while files are read never yields content from outside the root', async (t) => {
  const dir = tempRoot(t);
  const root = path.join(dir, 'root');
  mkdirSync(path.join(root, 'etc/kata'), { recursive: true });
  writeFileSync(path.join(root, 'etc/kata/configuration.toml'), 'inside\n');
  mkdirSync(path.join(dir, 'outside'));
  writeFileSync(path.join(dir, 'outside/configuration.toml'), 'outside\n');
  // The attacker's loop: etc/kata is a real directory one moment and a symlink out of the root the next.
  const swapper = spawn('bash', ['-c', `cd ${root}/etc && while true; do mv kata kata.d && ln -s ${dir}/outside kata; rm kata && mv kata.d kata; done`], { stdio: 'ignore' });
  t.teardown(() => swapper.kill('SIGKILL'));
  const seen = new Map<string, number>();
  const deadline = Date.now() + 3_000;
  let reads = 0;
  while (Date.now() < deadline || reads < 300) {
    const view = new HostView({ procfs: '/proc', sysfs: '/sys', rootfs: root }, new ScanErrorLog());
    const text = view.readText('root', '/etc/kata/configuration.toml', { stage: 'kata-config', optional: true }) ?? 'unread';
    seen.set(text, (seen.get(text) ?? 0) + 1);
    reads++;
    if (reads % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  t.log(`${reads} reads: ${[...seen].map(([k, n]) => `${k.trim()}=${n}`).join(' ')}`);
  t.false(seen.has('outside\n'), 'content from outside --path.rootfs was read');
  t.true((seen.get('inside\n') ?? 0) > 0, 'the race was exercised: some reads saw the real file');
});

test('a dotted key 20,000 levels deep is a configuration error, not a stack overflow', (t) => {
  const deep = `${Array.from({ length: 20_000 }, () => 'k').join('.')} = 1\n`;
  const result = summariseKataConfig('[hypervisor.qemu]\npath = "/usr/bin/qemu"\n', [{ path: '/etc/kata-containers/config.d/00-deep.toml', text: deep }], '/etc/kata-containers/configuration.toml');
  t.deepEqual(result, { error: 'tables nested deeper than 64 levels', errorPath: '/etc/kata-containers/config.d/00-deep.toml' });
});
