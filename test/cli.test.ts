import { readFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import { RULES, ruleAnchor } from '../src/assess/catalogue.js';
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
  t.regex(help.stdout, /^  kata-audit explain RULE-ID /m, '--help lists the explain subcommand');
  t.regex(help.stdout, /^  --wide /m, '--help lists --wide');
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

interface ExampleReport {
  sandboxes: Array<{ id: string; exposureScore: number; pod: { name: string | null; namespace: string | null }; findings: Array<{ evidence: string; remediation: string }> }>;
  findings: Array<{ evidence: string; remediation: string }>;
}

test('scan: sandboxes most exposed first, and a legend for SCORE and the VMM abbreviations', async (t) => {
  const table = (await run(['scan', '--example'])).stdout;
  const rows = table.split('\n').filter((line) => /^[0-9a-f]{12} +(trusted|UNTRUSTED|unknown) /.test(line));
  const scores = rows.map((row) => Number(row.split(/ +/)[4]));
  t.true(scores.length >= 3, table);
  t.deepEqual(scores, [...scores].sort((a, b) => b - a), 'rows are sorted by SCORE, highest first');
  t.regex(table, /^SCORE: exposure 0-100, higher is more exposed/m);
  for (const vmm of ['qemu = QEMU', 'fc = Firecracker', 'clh = Cloud Hypervisor', 'db = Dragonball']) t.true(table.includes(vmm), vmm);
});

test('scan --wide: full pod names, every evidence and remediation, no truncation', async (t) => {
  const report = JSON.parse((await run(['scan', '--example', '--format', 'json'])).stdout) as ExampleReport;
  const wide = await run(['scan', '--example', '--wide']);
  t.is(wide.exitCode, 0, wide.stderr);
  t.false(wide.stdout.includes('…'), 'nothing is cut');
  for (const s of report.sandboxes) {
    if (s.pod.name) t.true(wide.stdout.includes(`${s.pod.namespace}/${s.pod.name}`), `pod ${s.pod.name}`);
  }
  const findings = [...report.findings, ...report.sandboxes.flatMap((s) => s.findings)];
  for (const f of findings) {
    t.true(wide.stdout.includes(`    evidence: ${f.evidence}\n`), f.evidence);
    t.true(wide.stdout.includes(`    remediation: ${f.remediation}\n`));
  }
  const narrow = (await run(['scan', '--example'])).stdout;
  t.true(narrow.includes('…'), 'the example needs truncation in 80 columns, so the test above can fail');
});

test('explain prints one rule in full; an unknown id exits 2 and names it', async (t) => {
  const rule = RULES.find((r) => r.escalation !== undefined)!;
  const result = await run(['explain', rule.id]);
  t.is(result.exitCode, 0, result.stderr);
  const flat = result.stdout.replace(/\s+/g, ' ');
  t.true(result.stdout.startsWith(`${rule.id}  ${rule.severity}  ${rule.scope}\n`));
  t.true(flat.includes(rule.title));
  t.true(flat.includes(`Remediation: ${rule.remediation.replace(/\s+/g, ' ')}`));
  t.true(flat.includes(`Raised to: ${rule.escalation!.severity} when`));
  t.regex(flat, /Threat model: \S/);
  t.true(flat.includes(rule.rationale.replace(/^[^:(]*(\([^)]*\))?: /, '').replace(/\s+/g, ' ')), 'the rationale, after its threat-model part');
  t.true(result.stdout.includes(`docs/rules.md#${ruleAnchor(rule.id)}`));
  for (const line of result.stdout.split('\n')) t.true(line.length <= 80, line);
  t.is((await run(['explain', rule.id.toLowerCase()])).stdout, result.stdout, 'ids are case-blind');

  const unknown = await run(['explain', 'KATA-NET-999']);
  t.is(unknown.exitCode, 2);
  t.true(unknown.stderr.includes('KATA-NET-999'));
  t.is(unknown.stdout, '');
  t.is((await run(['explain'])).exitCode, 2);
});

test('scan given a serve-only flag says it is only for serve, not that it is unknown', async (t) => {
  for (const args of [['scan', '--web.listen-address=:9999'], ['scan', '--web.telemetry-path', '/m'], ['scan', '--example', '--log.level=debug']]) {
    const result = await run(args);
    t.is(result.exitCode, 2, args.join(' '));
    const flag = args.find((a) => a.startsWith('--') && a !== '--example')!.split('=')[0]!;
    t.true(result.stderr.includes(`${flag} is only for serve, not for scan`), result.stderr);
    t.false(/unknown option/i.test(result.stderr), result.stderr);
  }
  const serve = await run(['serve', '--fail-on', 'high']);
  t.is(serve.exitCode, 2);
  t.true(serve.stderr.includes('--fail-on is only for scan, not for serve'), serve.stderr);
  const unknown = await run(['scan', '--no-such-flag']);
  t.is(unknown.exitCode, 2);
  t.regex(unknown.stderr, /Unknown option '--no-such-flag'/, 'a flag of no command is still unknown');
});

test('serve on a port in use exits 4 and names --web.listen-address and the address', async (t) => {
  const { createServer } = await import('node:net');
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  t.teardown(() => blocker.close());
  const { port } = blocker.address() as { port: number };
  const address = `127.0.0.1:${port}`;
  const result = await run(['serve', '--example', `--web.listen-address=${address}`, '--log.level=error']);
  t.is(result.exitCode, 4, result.stderr);
  t.true(result.stderr.includes(`--web.listen-address ${address} is already in use`), result.stderr);
  t.true(result.stderr.includes('EADDRINUSE'));
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  t.regex(readme, /^\| `4` \| `serve` could not start: a `--web.listen-address` is in use/m, 'the README documents exit code 4');
  t.regex((await run(['--help'])).stdout, /4 serve could not start/, '--help documents it too');
});

test('a listen address that is not this host\'s exits 4 as well, other startup errors keep their codes', async (t) => {
  // 192.0.2.0/24 is TEST-NET-1: never assigned to a host, so bind() fails with EADDRNOTAVAIL and nothing is sent.
  const result = await run(['serve', '--example', '--web.listen-address=192.0.2.1:9873', '--log.level=error']);
  t.is(result.exitCode, 4, result.stderr);
  t.true(result.stderr.includes('--web.listen-address 192.0.2.1:9873 is not an address of this host'), result.stderr);
  const procfs = await run(['serve', '--path.procfs=/nonexistent/proc', '--web.listen-address=127.0.0.1:0', '--log.level=error']);
  t.is(procfs.exitCode, 3, 'a missing procfs is still "the scan could not run"');
});
