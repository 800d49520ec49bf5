import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { KataAuditError, PolicyError } from '../../src/errors.js';
import { parseExpiry } from '../../src/policy/expiry.js';
import { execa } from 'execa';
import { parsePolicy } from '../../src/policy/load.js';
import { loadPolicy } from '../../src/policy/policy-file.js';
import { MAX_ENTRIES, MAX_POLICY_BYTES } from '../../src/policy/limits.js';
import { acknowledgeableRuleIds } from '../../src/policy/source.js';

const IDS = acknowledgeableRuleIds();
const parse = (text: string) => parsePolicy(text, 'policy.yaml', IDS);
const refusal = (text: string): PolicyError => {
  try {
    parse(text);
  } catch (error) {
    if (error instanceof PolicyError) return error;
    throw error;
  }
  throw new Error('accepted');
};

const ENTRY = ['acknowledgements:', '  - rule: KATA-NET-001', '    reason: vhost-net accepted on the batch pool', '    owner: team-batch', '    expires: 2027-03-31'];

test('the issue\'s example loads, with the glob resolved and the expiry at the end of the day', (t) => {
  const policy = parse([...ENTRY, '    match:', '      namespace: batch-*', '      pod: ingest-*', '      vmm: qemu', '      runtimeClass: kata-qemu', '      node: worker-*', '      sandbox: 5c6d7f*',
    '  - rule: KATA-HOTPLUG-*', '    reason: hotplug everywhere', '    owner: platform', '    expires: 2027-01-15T18:00:00+02:00'].join('\n'));
  t.is(policy.entries.length, 2);
  const [net, hotplug] = policy.entries;
  t.deepEqual(net?.rules, ['KATA-NET-001']);
  t.deepEqual(net?.match, { namespace: 'batch-*', pod: 'ingest-*', vmm: 'qemu', runtimeClass: 'kata-qemu', node: 'worker-*', sandbox: '5c6d7f*' });
  t.is(net?.expires, '2027-03-31T23:59:59Z');
  t.is(net?.expiresAtMs, Date.UTC(2027, 3, 1));
  t.deepEqual(hotplug?.rules, ['KATA-HOTPLUG-001', 'KATA-HOTPLUG-002']);
  t.is(hotplug?.expires, '2027-01-15T16:00:00Z');
  t.is(hotplug?.index, 1);
});

test('an empty file or an empty list acknowledges nothing', (t) => {
  t.deepEqual(parse('').entries, []);
  t.deepEqual(parse('# nothing yet\n').entries, []);
  t.deepEqual(parse('acknowledgements: []\n').entries, []);
  t.deepEqual(parse('acknowledgements:\n').entries, []);
});

test('errors carry the code, file, line, column and key', (t) => {
  const e = refusal([...ENTRY.slice(0, 4), '    expire: 2027-03-31'].join('\n'));
  t.true(KataAuditError.is(e));
  t.is(e.code, 'ERR_POLICY');
  t.is(e.file, 'policy.yaml');
  t.is(e.line, 5);
  t.is(e.column, 5);
  t.is(e.key, 'acknowledgements[0].expire');
  t.regex(e.message, /^policy\.yaml:5:5: acknowledgements\[0\]\.expire: unknown key/);
});

test('an entry without an expiry is refused, as are missing or empty reason and owner', (t) => {
  t.is(refusal(ENTRY.slice(0, 4).join('\n')).key, 'acknowledgements[0].expires');
  t.regex(refusal(ENTRY.slice(0, 4).join('\n')).message, /acknowledge forever/);
  t.is(refusal([ENTRY[0], ENTRY[1], ENTRY[3], ENTRY[4]].join('\n')).key, 'acknowledgements[0].reason');
  t.is(refusal([ENTRY[0], ENTRY[1], '    reason: ""', ENTRY[3], ENTRY[4]].join('\n')).key, 'acknowledgements[0].reason');
  t.is(refusal([ENTRY[0], ENTRY[1], ENTRY[2], '    owner:', ENTRY[4]].join('\n')).key, 'acknowledgements[0].owner');
});

test('unknown keys are refused at every level', (t) => {
  t.is(refusal('acknowledgement:\n  - rule: KATA-NET-001\n').key, 'acknowledgement');
  const e = refusal([...ENTRY, '    match:', '      namespaces: batch'].join('\n'));
  t.is(e.key, 'acknowledgements[0].match.namespaces');
  t.is(e.line, 7);
});

test('a rule glob must match a rule of the catalogue, and never only the policy rules', (t) => {
  const withRule = (rule: string) => [ENTRY[0], `  - rule: ${rule}`, ...ENTRY.slice(2)].join('\n');
  t.regex(refusal(withRule('KATA-NTE-001')).message, /matches no rule of the catalogue/);
  t.is(refusal(withRule('KATA-NTE-001')).column, 11);
  t.regex(refusal(withRule('KATA-POLICY-*')).message, /matches no rule/);
  t.regex(refusal(withRule('kata-net-001')).message, /not a rule id or glob/);
  t.true(parse(withRule('KATA-*')).entries[0]!.rules.length > 30);
  t.false(parse(withRule('KATA-*')).entries[0]!.rules.some((id) => id.startsWith('KATA-POLICY')));
});

test('owners are a short safe name; reasons one printable line', (t) => {
  const withOwner = (owner: string) => [ENTRY[0], ENTRY[1], ENTRY[2], `    owner: ${JSON.stringify(owner)}`, ENTRY[4]].join('\n');
  t.is(parse(withOwner('alice@example.com')).entries[0]?.owner, 'alice@example.com');
  for (const bad of ['team"x', 'a\nb', 'x'.repeat(65), '{evil="1"}', '-leading']) t.is(refusal(withOwner(bad)).key, 'acknowledgements[0].owner', bad);
  t.is(refusal([ENTRY[0], ENTRY[1], '    reason: "two\\nlines"', ENTRY[3], ENTRY[4]].join('\n')).key, 'acknowledgements[0].reason');
});

test('match values are bounded globs of a safe charset', (t) => {
  const withPod = (glob: string) => [...ENTRY, '    match:', `      pod: ${JSON.stringify(glob)}`].join('\n');
  t.is(parse(withPod('ingest-{a,b}-*')).entries[0]?.match.pod, 'ingest-{a,b}-*');
  t.is(refusal(withPod('a/b')).key, 'acknowledgements[0].match.pod');
  t.is(refusal(withPod('x'.repeat(300))).key, 'acknowledgements[0].match.pod');
  t.is(refusal([...ENTRY, '    match:', '      vmm: 3'].join('\n')).key, 'acknowledgements[0].match.vmm');
});

test('broken YAML, duplicate keys, aliases and wrong shapes are refused with a position', (t) => {
  const broken = refusal('acknowledgements:\n  - rule: [unclosed\n');
  t.is(broken.line !== null, true);
  t.regex(broken.message, /not valid YAML/);
  t.regex(refusal([...ENTRY, '    owner: again'].join('\n')).message, /not valid YAML/);
  t.is(refusal('acknowledgements: {rule: KATA-NET-001}\n').key, 'acknowledgements');
  t.is(refusal('- rule: KATA-NET-001\n').key, '(document)');
  // An alias is never expanded: where a value is expected it is refused.
  const alias = [ENTRY[0], ENTRY[1], '    reason: &r accepted', '    owner: *r', ENTRY[4]].join('\n');
  t.is(refusal(alias).key, 'acknowledgements[0].owner');
});

test('size and entry count are bounded', (t) => {
  const entry = ENTRY.slice(1).join('\n');
  const many = ['acknowledgements:', ...Array.from({ length: MAX_ENTRIES + 1 }, () => entry)].join('\n');
  t.regex(refusal(many).message, new RegExp(`at most ${MAX_ENTRIES}`));
  t.regex(refusal(`# ${'x'.repeat(MAX_POLICY_BYTES)}\n`).message, /larger than/);
});

test('loadPolicy: a missing file, a directory and an oversized file are PolicyErrors naming the file', (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kata-audit-policy-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const missing = t.throws(() => loadPolicy(path.join(dir, 'nope.yaml'), IDS), { instanceOf: PolicyError });
  t.true(missing?.message.startsWith(path.join(dir, 'nope.yaml')));
  t.throws(() => loadPolicy(dir, IDS), { instanceOf: PolicyError, message: /not a regular file/ });
  const big = path.join(dir, 'big.yaml');
  writeFileSync(big, Buffer.alloc(MAX_POLICY_BYTES + 1, 0x20));
  t.throws(() => loadPolicy(big, IDS), { instanceOf: PolicyError, message: /at most/ });
  const good = path.join(dir, 'policy.yaml');
  writeFileSync(good, ENTRY.join('\n'));
  t.is(loadPolicy(good, IDS).entries.length, 1);
});

test('loadPolicy: a FIFO (nobody writing) and /dev/zero are refused at once, never read', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kata-audit-policy-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const fifo = path.join(dir, 'policy.yaml');
  await execa('mkfifo', [fifo]);
  t.throws(() => loadPolicy(fifo, IDS), { instanceOf: PolicyError, message: /not a regular file/ });
  t.throws(() => loadPolicy('/dev/zero', IDS), { instanceOf: PolicyError, message: /not a regular file/ });
});

test('expiry: a date holds through the end of that day, UTC; RFC 3339 honours its offset', (t) => {
  t.deepEqual(parseExpiry('2027-03-31'), { atMs: Date.UTC(2027, 3, 1), text: '2027-03-31T23:59:59Z' });
  t.deepEqual(parseExpiry('2027-03-31T18:00:00+02:00'), { atMs: Date.UTC(2027, 2, 31, 16), text: '2027-03-31T16:00:00Z' });
  t.deepEqual(parseExpiry('2027-03-31t18:00:00.5z'), { atMs: Date.UTC(2027, 2, 31, 18, 0, 0, 500), text: '2027-03-31T18:00:00.500Z' });
  for (const bad of ['2027-02-30', '2027-13-01', '31/03/2027', '2027-03-31T25:00:00Z', '2027-03-31T18:00:00', '2027-03-31T18:00:00+24:00', 'tomorrow', '1969-12-31']) {
    t.is(typeof parseExpiry(bad), 'string', bad);
  }
});
