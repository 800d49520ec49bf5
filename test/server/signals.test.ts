// The built CLI as an operator runs it: `kata-audit serve` on a fixture host exits 0 within 5 s of SIGTERM
// (even with a client holding a half-sent request), logs its startup facts, and refuses to start on a
// missing procfs root (exit 3) or a bad web config (exit 2).
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test, { type ExecutionContext } from 'ava';
import { fixtureHostNames, fixtureScanConfig, materialise } from '../helpers/fixture-roots.js';
import { fetchText, trickle } from './helpers/http.js';

/** dist/src/cli.js next to this compiled test (dist/test/server/signals.test.js). */
const CLI = fileURLToPath(new URL('../../src/cli.js', import.meta.url));

interface Running {
  url: Promise<string>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>;
  stderr: () => string;
  kill: (signal: NodeJS.Signals) => void;
}

function serve(t: ExecutionContext, args: string[]): Running {
  const child = spawn(process.execPath, [CLI, 'serve', '--web.listen-address=127.0.0.1:0', '--log.format=json', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let resolveUrl!: (url: string) => void;
  const url = new Promise<string>((resolve) => (resolveUrl = resolve));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const line of stderr.split('\n')) {
      if (!line.startsWith('{')) continue;
      const record = JSON.parse(line) as { msg?: string; address?: string };
      if (record.msg === 'listening' && record.address) resolveUrl(record.address);
    }
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal, atMs: Date.now() }));
  });
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return { url, exit, stderr: () => stderr, kill: (signal) => child.kill(signal) };
}

function hostArgs(t: ExecutionContext): string[] {
  const host = fixtureHostNames()[0];
  if (host === undefined) throw new Error('no fixture host');
  const { roots } = fixtureScanConfig(materialise(t, host));
  return [`--path.procfs=${roots.procfs}`, `--path.sysfs=${roots.sysfs}`, `--path.rootfs=${roots.rootfs}`];
}

test.before(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npx tsc -p .)`);
});

test('SIGTERM: exit 0 within 5 s, even with a client holding a half-sent request', async (t) => {
  const running = serve(t, hostArgs(t));
  const url = await running.url;
  t.is((await fetchText(`${url}/metrics`)).status, 200);
  const slow = trickle(Number(new URL(url).port), 200);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const sent = Date.now();
  running.kill('SIGTERM');
  const exit = await running.exit;
  t.is(exit.code, 0, running.stderr());
  t.true(exit.atMs - sent < 5_000, `exited after ${exit.atMs - sent} ms`);
  await slow.closed;
  const messages = running.stderr().split('\n').filter((l) => l.startsWith('{')).map((l) => (JSON.parse(l) as { msg: string }).msg);
  for (const msg of ['starting kata-audit', 'agent privileges', 'listening', 'shutting down', 'stopped']) t.true(messages.includes(msg), msg);
});

test('SIGINT works the same way', async (t) => {
  const running = serve(t, hostArgs(t));
  await running.url;
  running.kill('SIGINT');
  t.is((await running.exit).code, 0);
});

test('a missing procfs root exits 3 before listening', async (t) => {
  const running = serve(t, ['--path.procfs=/nonexistent/proc']);
  const exit = await running.exit;
  t.is(exit.code, 3);
  t.regex(running.stderr(), /\/nonexistent\/proc/);
  t.false(running.stderr().includes('"msg":"listening"'));
});

test('a bad web config exits 2 naming the key', async (t) => {
  const roots = hostArgs(t);
  const dir = path.dirname(roots[0]!.slice('--path.procfs='.length));
  const file = path.join(dir, 'web.yml');
  writeFileSync(file, 'basic_auth_users:\n  prometheus: hunter2\n');
  const running = serve(t, [...roots, `--web.config.file=${file}`]);
  const exit = await running.exit;
  t.is(exit.code, 2);
  t.regex(running.stderr(), /basic_auth_users\.prometheus/);
});
