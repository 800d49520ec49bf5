import { readFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import { REPO_ROOT } from './helpers/fixture-roots.js';

const CLI = path.join(REPO_ROOT, 'dist/src/cli.js');
const run = (args: string[]) => execa('node', [CLI, ...args], { reject: false, timeout: 60_000, stripFinalNewline: false });

test('--version and --help', async (t) => {
  const version = await run(['--version']);
  t.is(version.exitCode, 0);
  t.regex(version.stdout, /^kata-audit \d+\.\d+\.\d+/);
  const help = await run(['--help']);
  t.is(help.exitCode, 0);
  t.true(help.stdout.includes('--path.procfs'));
});

test('a bad flag exits 2 and names the flag', async (t) => {
  const result = await run(['scan', '--path.prcofs=/proc']);
  t.is(result.exitCode, 2);
  t.true(result.stderr.includes('--path.prcofs'));
  const bad = await run(['scan', '--fail-on=severe']);
  t.is(bad.exitCode, 2);
  t.true(bad.stderr.includes('--fail-on'));
});

test('a missing procfs root exits 3', async (t) => {
  const result = await run(['scan', '--path.procfs=/nonexistent/proc']);
  t.is(result.exitCode, 3);
  t.true(result.stderr.includes('/nonexistent/proc'));
});

test('scan --example: the bundled node in a table and as JSON, and --fail-on turns findings into exit 1', async (t) => {
  const table = await run(['scan', '--example']);
  t.is(table.exitCode, 0, table.stderr);
  t.true(table.stdout.includes('Findings'));
  t.false(table.stdout.includes('\u001b['), 'no colour when stdout is not a TTY');
  for (const line of table.stdout.split("\n")) t.true(line.length <= 80, `line wider than 80 columns: ${line}`);
  const json = await run(['scan', '--example', '--format', 'json']);
  const report = JSON.parse(json.stdout) as { schemaVersion: number; sandboxes: Array<{ vmm: string }> };
  t.is(report.schemaVersion, 1);
  t.true(new Set(report.sandboxes.map((s) => s.vmm)).size >= 3, 'the example node shows several VMMs');
  const failing = await run(['scan', '--example', '--fail-on', 'high']);
  t.is(failing.exitCode, 1);
});

test('rules --format markdown is what docs/rules.md holds', async (t) => {
  const result = await run(['rules', '--format', 'markdown']);
  t.is(result.exitCode, 0);
  t.is(result.stdout, readFileSync(path.join(REPO_ROOT, 'docs/rules.md'), 'utf8'));
  const json = JSON.parse((await run(['rules', '--format', 'json'])).stdout) as Array<{ id: string }>;
  t.true(json.length >= 30);
});
