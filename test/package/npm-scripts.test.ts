// The README's quick start runs through npm: `npm start`, `npm run demo`, `npm run -s scan -- ... | jq`. These
// scripts used to begin with `rm -rf dist && tsc`, so a `npm run scan` deleted the dist/ of a running demo; they now
// compile only when src/ is newer than the last build (scripts/ensure-build.mjs). And the agent must not outlive the
// `npm start` an operator stops by its pid.
import { mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import { REPO_ROOT } from '../helpers/fixture-roots.js';

interface EnsureBuild {
  STAMP: string;
  isStale(root: string): boolean;
}
// A plain .mjs beside the sources (it runs before anything is compiled); loaded at run time, untyped.
const ensureBuild = (await import(path.join(REPO_ROOT, 'scripts/ensure-build.mjs'))) as EnsureBuild;

test('the build is stale without a stamp, fresh after one, and stale again when a source or a directory changes', (t) => {
  const root = mkdtempSync(path.join(tmpdir(), 'kata-audit-stale-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(path.join(root, 'src/sub'), { recursive: true });
  mkdirSync(path.join(root, 'dist/src'), { recursive: true });
  for (const file of ['src/cli.ts', 'src/sub/a.ts', 'tsconfig.json', 'package.json', 'dist/src/cli.js']) writeFileSync(path.join(root, file), '');
  const past = new Date(Date.now() - 60_000);
  for (const file of ['src', 'src/sub', 'src/cli.ts', 'src/sub/a.ts', 'tsconfig.json', 'package.json']) utimesSync(path.join(root, file), past, past);
  t.true(ensureBuild.isStale(root), 'no stamp: never built through the script');
  writeFileSync(path.join(root, ensureBuild.STAMP), '');
  t.false(ensureBuild.isStale(root), 'stamp newer than every input');

  utimesSync(path.join(root, 'src/sub/a.ts'), new Date(), new Date());
  t.true(ensureBuild.isStale(root), 'an edited source');
  utimesSync(path.join(root, 'src/sub/a.ts'), past, past);
  t.false(ensureBuild.isStale(root));
  rmSync(path.join(root, 'src/sub/a.ts'));
  t.true(ensureBuild.isStale(root), 'a deleted source (its directory changed)');
  writeFileSync(path.join(root, ensureBuild.STAMP), '');
  rmSync(path.join(root, 'dist/src/cli.js'));
  t.true(ensureBuild.isStale(root), 'the command itself is missing');
});

test('`npm run -s scan -- --example --format json | jq` works as the README writes it, and leaves dist/ in place', async (t) => {
  t.timeout(120_000);
  t.false(ensureBuild.isStale(REPO_ROOT), 'npm run build leaves a stamp, so the scripts below do not compile again');
  const cli = path.join(REPO_ROOT, 'dist/src/cli.js');
  const before = statSync(cli);
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const pipeline = 'npm run -s scan -- --example --format json | jq -e .schemaVersion';
  t.true(readme.includes(pipeline), 'the README documents this very pipeline');
  const piped = await execa('bash', ['-o', 'pipefail', '-c', pipeline], { cwd: REPO_ROOT, reject: false, timeout: 90_000 });
  t.is(piped.exitCode, 0, piped.stderr);
  t.is(piped.stdout.trim(), '1');

  // Without -s npm prints its banner on stdout: that is npm's, so the README says -s; what matters here is that the
  // script adds nothing of its own (no compiler output) to stdout.
  const plain = await execa('npm', ['run', 'scan', '--', '--example', '--format', 'json'], { cwd: REPO_ROOT, reject: false, timeout: 90_000 });
  t.is(plain.exitCode, 0, plain.stderr);
  t.is(JSON.parse(plain.stdout.slice(plain.stdout.indexOf('\n{') + 1)).schemaVersion, 1);
  const after = statSync(cli);
  t.is(after.ino, before.ino, 'dist/src/cli.js is the same file: nothing deleted it');
  t.is(after.mtimeMs, before.mtimeMs, 'and nothing rewrote it');
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function healthy(port: number): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1_000) })).ok;
  } catch {
    return false;
  }
}

/** The direct children of a process (Linux: /proc/<pid>/task/<tid>/children). */
function children(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Running, not exited: a zombie (state Z, not yet reaped) counts as gone. */
const alive = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
};

async function until(condition: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return condition();
}

test('SIGTERM to the pid of `npm start` stops the agent: its port closes and its process is gone', async (t) => {
  t.timeout(120_000);
  const port = await freePort();
  const npm = execa('npm', ['start', '--', '--example', `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], { cwd: REPO_ROOT, reject: false });
  const agents = new Set<number>();
  t.teardown(() => {
    for (const pid of agents) if (alive(pid)) process.kill(pid, 'SIGKILL');
    npm.kill('SIGKILL');
  });
  t.true(await until(() => healthy(port), 60_000), 'the agent answers /healthz');
  // Everything below npm: with `exec` in the script the agent is npm's own child, without it a shell's.
  const below = (pid: number): number[] => children(pid).flatMap((child) => [child, ...below(child)]);
  for (const pid of below(npm.pid!)) agents.add(pid);
  t.true(agents.size > 0);

  process.kill(npm.pid!, 'SIGTERM');
  t.true(await until(async () => !(await healthy(port)), 8_000), 'the port closes within 8 s');
  t.true(await until(() => [...agents].every((pid) => !alive(pid)), 8_000), `no process of npm start is left: ${[...agents].filter(alive).join(',')}`);
  const result = await npm;
  t.not(result.exitCode, null);
});
