// Matching: each key, globs, host findings on node only, first entry wins, and what a workload controls
// (a look-alike's pod name, namespace, VMM or the id it claims) never gets a finding acknowledged.
import test from 'ava';
import { finding } from '../../src/assess/catalogue.js';
import { acknowledgingEntry, placeMatches, type Place } from '../../src/policy/match.js';
import type { PolicyEntry, PolicyMatch } from '../../src/policy/policy.js';

const ID = '5c6d7f8e'.repeat(8);
const entry = (match: PolicyMatch, overrides: Partial<PolicyEntry> = {}): PolicyEntry => ({
  index: 0, rule: 'KATA-NET-001', rules: ['KATA-NET-001'], reason: 'r', owner: 'o', expires: '2027-03-31T23:59:59Z',
  expiresAtMs: Date.UTC(2027, 3, 1), match, ...overrides,
});
const trusted = (overrides: Partial<NonNullable<Place['sandbox']>> = {}): Place => ({
  node: 'worker-7',
  sandbox: { id: ID, vmm: 'qemu', trusted: true, trust: 'trusted', pod: { uid: null, name: 'ingest-0', namespace: 'batch-eu', runtimeClass: 'kata-qemu' }, ...overrides },
});
const host: Place = { node: 'worker-7', sandbox: null };

test('no match key: every trusted sandbox and the host', (t) => {
  t.true(placeMatches(entry({}), trusted()));
  t.true(placeMatches(entry({}), host));
});

for (const [key, yes, no] of [
  ['namespace', 'batch-*', 'web-*'],
  ['pod', 'ingest-?', 'ingest-??'],
  ['vmm', '{qemu,dragonball}', 'firecracker'],
  ['runtimeClass', 'kata-qemu*', 'kata-clh'],
  ['node', 'worker-[0-9]', 'gpu-*'],
  ['sandbox', '5c6d7f*', '7ab*'],
] as const) {
  test(`match.${key}: a glob that matches admits, one that does not refuses`, (t) => {
    t.true(placeMatches(entry({ [key]: yes }), trusted()), yes);
    t.false(placeMatches(entry({ [key]: no }), trusted()), no);
  });
}

test('every key given must match', (t) => {
  t.true(placeMatches(entry({ namespace: 'batch-*', pod: 'ingest-*', node: 'worker-*' }), trusted()));
  t.false(placeMatches(entry({ namespace: 'batch-*', pod: 'web-*' }), trusted()));
});

test('an unknown value never matches a glob, not even *', (t) => {
  const unknownPod = trusted({ pod: { uid: null, name: null, namespace: null } });
  t.false(placeMatches(entry({ namespace: '*' }), unknownPod));
  t.false(placeMatches(entry({ runtimeClass: '*' }), unknownPod), 'no runtime handler in the bundle: runtimeClass matches nothing');
  t.false(placeMatches(entry({ node: '*' }), { node: null, sandbox: null }));
});

test('host findings match on node only: an entry with sandbox keys never reaches the host', (t) => {
  t.true(placeMatches(entry({ node: 'worker-*' }), host));
  t.false(placeMatches(entry({ node: 'gpu-*' }), host));
  for (const key of ['namespace', 'pod', 'vmm', 'runtimeClass', 'sandbox'] as const) t.false(placeMatches(entry({ [key]: '*' }), host), key);
});

test('a look-alike is never matched by pod, namespace, runtimeClass, vmm or a bare glob', (t) => {
  // It copies a real pod's identity and claims the real id: none of that may acknowledge its findings.
  const lookAlike: Place = {
    node: 'worker-7',
    sandbox: { id: `untrusted:${ID}`, vmm: 'qemu', trusted: false, trust: 'untrusted', pod: { uid: null, name: 'ingest-0', namespace: 'batch-eu', runtimeClass: 'kata-qemu' } },
  };
  for (const match of [{}, { namespace: 'batch-*' }, { pod: 'ingest-*' }, { vmm: 'qemu' }, { runtimeClass: 'kata-qemu' }, { node: 'worker-7' }, { sandbox: '*' }, { sandbox: '*5c6d7f*' }, { sandbox: `untrusted:*`, pod: 'ingest-*' }]) {
    t.false(placeMatches(entry(match), lookAlike), JSON.stringify(match));
  }
  t.true(placeMatches(entry({ sandbox: `untrusted:${ID}` }), lookAlike), 'the full prefixed id names it');
  t.true(placeMatches(entry({ sandbox: 'untrusted:5c6d*', node: 'worker-*' }), lookAlike));
  const unverified: Place = { node: 'worker-7', sandbox: { id: `unverified:${ID}`, vmm: 'qemu', trusted: false, trust: 'unknown', pod: { uid: null, name: null, namespace: null } } };
  t.false(placeMatches(entry({ sandbox: 'untrusted:*' }), unverified));
  t.true(placeMatches(entry({ sandbox: 'unverified:*' }), unverified));
});

test('a trusted sandbox is not matched by a glob for look-alikes', (t) => {
  t.false(placeMatches(entry({ sandbox: 'untrusted:*' }), trusted()));
});

test('acknowledgingEntry: rule, expiry and file order', (t) => {
  const f = finding('KATA-NET-001', ID, 'vhost-net');
  const now = Date.UTC(2027, 2, 31, 23, 59, 59, 500);
  const first = entry({ namespace: 'batch-*' }, { index: 0 });
  const second = entry({}, { index: 1 });
  t.is(acknowledgingEntry([first, second], f, trusted(), now), first);
  t.is(acknowledgingEntry([entry({}, { index: 0, expiresAtMs: now }), second], f, trusted(), now), second, 'an expired entry is skipped');
  t.is(acknowledgingEntry([entry({}, { rules: ['KATA-VSOCK-001'] })], f, trusted(), now), undefined);
  t.is(acknowledgingEntry([first], f, trusted(), Date.UTC(2027, 3, 1)), undefined, 'the day after a date-only expiry, nothing');
});
