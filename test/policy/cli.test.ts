// The policy through the real CLI: `policy check` offline (exit 0/2), `scan --policy.file` keeps every finding
// and marks the acknowledged ones, and --fail-on counts only what nobody accepted.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import type { Finding, Report } from '../../src/model/report.js';
import { REPO_ROOT } from '../helpers/fixture-roots.js';

const CLI = path.join(REPO_ROOT, 'dist/src/cli.js');
const run = (args: string[]) => execa('node', [CLI, ...args], { reject: false, timeout: 60_000 });
const dir = mkdtempSync(path.join(tmpdir(), 'kata-audit-policy-cli-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

function policy(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

const allFindings = (r: Report): Finding[] => [...r.findings, ...r.sandboxes.flatMap((s) => s.findings)];

/** Accepts everything on the example node, look-alikes included (which only a prefixed sandbox glob reaches). */
const EVERYTHING = `acknowledgements:
  - rule: "KATA-*"
    reason: the test accepts every exposure of the example node
    owner: team-test
    expires: 2099-01-01
  - rule: KATA-TRUST-*
    reason: and its look-alikes
    owner: team-test
    expires: 2099-01-01
    match: { sandbox: "untrusted:*" }
  - rule: KATA-TRUST-*
    reason: and its unverified processes
    owner: team-test
    expires: 2099-01-01
    match: { sandbox: "unverified:*" }
`;

test('policy check: a broken file exits 2 naming file, line, column and key; nothing on stdout', async (t) => {
  const file = policy('bad.yaml', 'acknowledgements:\n  - rule: KATA-NET-001\n    reason: r\n    owner: o\n    expires: soon\n');
  const r = await run(['policy', 'check', file]);
  t.is(r.exitCode, 2);
  t.is(r.stdout, '');
  t.true(r.stderr.includes(`${file}:5:14`), r.stderr);
  t.true(r.stderr.includes('acknowledgements[0].expires'), r.stderr);
});

test('policy check: an entry without expires, an unknown key and an unknown rule are each refused', async (t) => {
  const cases: Array<[string, RegExp]> = [
    ['acknowledgements:\n  - rule: KATA-NET-001\n    reason: r\n    owner: o\n', /expires/],
    ['acknowledgements:\n  - rule: KATA-NET-001\n    reason: r\n    owner: o\n    expire: 2027-01-01\n', /expire\b/],
    ['acknowledgements:\n  - rule: KATA-NOPE-001\n    reason: r\n    owner: o\n    expires: 2027-01-01\n', /KATA-NOPE-001/],
  ];
  for (const [i, [text, message]] of cases.entries()) {
    const r = await run(['policy', 'check', policy(`case-${i}.yaml`, text)]);
    t.is(r.exitCode, 2, text);
    t.regex(r.stderr, message, text);
  }
});

test('policy check --example: exit 0 and what each entry would acknowledge on the node', async (t) => {
  const file = policy('good.yaml', `acknowledgements:
  - rule: KATA-NET-001
    reason: vhost-net on the shop pool
    owner: team-shop
    expires: 2099-03-31
    match: { namespace: shop }
  - rule: KATA-VFIO-001
    reason: nothing here uses VFIO this way
    owner: team-ml
    expires: 2099-03-31
    match: { namespace: no-such-namespace }
  - rule: KATA-CPU-001
    reason: another pool's embargo
    owner: platform-security
    expires: 2099-03-31
    match: { node: gpu-worker-* }
`);
  const r = await run(['policy', 'check', file, '--example']);
  t.is(r.exitCode, 0, r.stderr);
  t.regex(r.stdout, /valid, 3 entries/);
  t.regex(r.stdout, /\[0\] KATA-NET-001[\s\S]*acknowledges 1 finding\(s\)[\s\S]*pod shop\//);
  t.regex(r.stdout, /\[1\] KATA-VFIO-001[\s\S]*acknowledges nothing on this node/);
  const third = r.stdout.slice(r.stdout.indexOf('[2] KATA-CPU-001'));
  t.is(third.split('not for this node').length - 1, 1, 'an entry for other nodes says so once, naming its glob and the hostname');
  t.regex(third, /node "gpu-worker-\*" does not match the hostname/);
});

test('scan --policy.file: every finding stays, acknowledged ones are marked, the scores do not move, --fail-on counts the open ones', async (t) => {
  const plain = await run(['scan', '--example', '--format', 'json']);
  t.is(plain.exitCode, 0, plain.stderr);
  const before = JSON.parse(plain.stdout) as Report;
  const failing = await run(['scan', '--example', '--fail-on', 'medium']);
  t.is(failing.exitCode, 1, 'without a policy the example node fails at medium');

  const file = policy('everything.yaml', EVERYTHING);
  const withPolicy = await run(['scan', '--example', '--format', 'json', '--policy.file', file]);
  t.is(withPolicy.exitCode, 0, withPolicy.stderr);
  const after = JSON.parse(withPolicy.stdout) as Report;
  const judged = allFindings(after).filter((f) => !f.rule.startsWith('KATA-POLICY-'));
  t.deepEqual(judged.map((f) => `${f.rule} ${f.sandboxId}`).sort(), allFindings(before).map((f) => `${f.rule} ${f.sandboxId}`).sort(), 'no finding is hidden');
  t.true(judged.every((f) => f.acknowledgement?.owner === 'team-test'), 'each is marked with its acknowledgement');
  t.deepEqual(after.sandboxes.map((s) => s.exposureScore), before.sandboxes.map((s) => s.exposureScore), 'an accepted exposure is still an exposure');
  const passing = await run(['scan', '--example', '--fail-on', 'medium', '--policy.file', file]);
  t.is(passing.exitCode, 0, `nothing open at medium or above: ${passing.stdout.slice(-400)}`);
  t.regex(passing.stdout, /Acknowledged/, 'the table shows them apart');
  t.regex(passing.stdout, /team-test/);
});

test('scan --policy.file with a broken or missing file exits 2 and names it', async (t) => {
  const missing = path.join(dir, 'missing.yaml');
  const r = await run(['scan', '--example', '--policy.file', missing]);
  t.is(r.exitCode, 2);
  t.true(r.stderr.includes(missing), r.stderr);
  const empty = await run(['scan', '--example', '--policy.file=']);
  t.is(empty.exitCode, 2);
  t.true(empty.stderr.includes('--policy.file'), empty.stderr);
});
