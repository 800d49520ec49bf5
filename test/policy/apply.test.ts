// The policy stage on a literal report, with a fixed clock: every finding gets `acknowledgement` (null when no
// entry applies), expired entries acknowledge nothing and raise KATA-POLICY-001, entries that matched nothing
// since the load raise KATA-POLICY-002, and the exposure score is left alone.
import test from 'ava';
import { applyPolicy, type PolicyInForce } from '../../src/policy/apply.js';
import { parsePolicy } from '../../src/policy/load.js';
import { acknowledgeableRuleIds } from '../../src/policy/source.js';
import { SANDBOX_A, sampleReport } from '../export/sample-report.js';

const POLICY = `acknowledgements:
  - rule: KATA-NET-001
    reason: vhost-net accepted on the default namespace
    owner: team-net
    expires: 2027-03-31
    match:
      namespace: default
  - rule: KATA-HOST-*
    reason: module kept loaded for the next rollout
    owner: platform
    expires: 2026-06-30T12:00:00Z
    match:
      node: node-*
  - rule: KATA-VFIO-*
    reason: GPU pool
    owner: team-gpu
    expires: 2027-01-01
    match:
      namespace: gpu-*
`;

const inForce = (): PolicyInForce => ({ policy: parsePolicy(POLICY, '/etc/kata-audit/policy.yaml', acknowledgeableRuleIds()), matchedSinceLoad: new Set() });
const stage = (policy: PolicyInForce | null, nowMs: number) => {
  const report = sampleReport();
  return applyPolicy({ node: report.node, host: report.host, sandboxes: report.sandboxes, hostFindings: report.findings }, policy, nowMs);
};
const BEFORE_ANY_EXPIRY = Date.UTC(2026, 5, 30, 11, 59, 59);

test('without a policy every finding gets acknowledgement: null and no policy finding appears', (t) => {
  const out = stage(null, BEFORE_ANY_EXPIRY);
  const all = [...out.hostFindings, ...out.sandboxes.flatMap((s) => s.findings)];
  t.true(all.length > 0);
  t.true(all.every((f) => f.acknowledgement === null));
  t.is(out.summary, undefined);
});

test('matching entries acknowledge, with reason, owner and expiry; the rest stay open', (t) => {
  const out = stage(inForce(), BEFORE_ANY_EXPIRY);
  const a = out.sandboxes.find((s) => s.id === SANDBOX_A)!;
  t.deepEqual(a.findings.find((f) => f.rule === 'KATA-NET-001')?.acknowledgement, { reason: 'vhost-net accepted on the default namespace', owner: 'team-net', expires: '2027-03-31T23:59:59Z' });
  t.deepEqual(out.hostFindings.find((f) => f.rule === 'KATA-HOST-001')?.acknowledgement?.owner, 'platform');
  // The look-alike's KATA-NET-001 (it has the default finding) is not acknowledged by a namespace entry.
  const lookAlike = out.sandboxes.find((s) => !s.trusted)!;
  t.true(lookAlike.findings.every((f) => f.acknowledgement === null));
  t.is(out.sandboxes.find((s) => s.findings.some((f) => f.rule === 'KATA-VFIO-001'))?.findings.find((f) => f.rule === 'KATA-VFIO-001')?.acknowledgement, null);
});

test('the score is not changed by acknowledgements', (t) => {
  const before = sampleReport().sandboxes.map((s) => s.exposureScore);
  t.deepEqual(stage(inForce(), BEFORE_ANY_EXPIRY).sandboxes.map((s) => s.exposureScore), before);
});

test('an entry that matches nothing on this node raises KATA-POLICY-002 (info) naming it', (t) => {
  const out = stage(inForce(), BEFORE_ANY_EXPIRY);
  const unmatched = out.hostFindings.filter((f) => f.rule === 'KATA-POLICY-002');
  t.is(unmatched.length, 1);
  t.is(unmatched[0]?.severity, 'info');
  t.regex(unmatched[0]!.evidence, /acknowledgements\[2\] \(rule KATA-VFIO-\*, owner team-gpu\)/);
  t.is(unmatched[0]?.acknowledgement, null);
  t.deepEqual(out.summary?.entries.map((e) => e.matched), [1, 1, 0]);
});

test('expiry with a fixed clock: the RFC 3339 entry ends at its instant and raises KATA-POLICY-001', (t) => {
  const atExpiry = Date.UTC(2026, 5, 30, 12);
  const out = stage(inForce(), atExpiry);
  t.is(out.hostFindings.find((f) => f.rule === 'KATA-HOST-001')?.acknowledgement, null, 'expired: the finding is open again');
  const expired = out.hostFindings.filter((f) => f.rule === 'KATA-POLICY-001');
  t.is(expired.length, 1);
  t.is(expired[0]?.severity, 'low');
  t.regex(expired[0]!.evidence, /acknowledgements\[1\] \(rule KATA-HOST-\*, owner platform\) in \/etc\/kata-audit\/policy\.yaml expired on 2026-06-30T12:00:00Z/);
  t.false(out.hostFindings.some((f) => f.rule === 'KATA-POLICY-002' && f.evidence.includes('acknowledgements[1]')), 'expired is not also unmatched');
  t.true(out.summary?.entries[1]?.expired);
});

test('a date-only entry holds through the last second of its day, UTC', (t) => {
  const lastSecond = Date.UTC(2027, 2, 31, 23, 59, 59, 999);
  const a = (now: number) => stage(inForce(), now).sandboxes.find((s) => s.id === SANDBOX_A)!.findings.find((f) => f.rule === 'KATA-NET-001')!;
  t.not(a(lastSecond).acknowledgement, null);
  t.is(a(lastSecond + 1).acknowledgement, null);
});

test('KATA-POLICY-002 stays quiet for an entry that matched in an earlier scan since the load', (t) => {
  const policy = inForce();
  policy.matchedSinceLoad.add(2);
  const out = stage(policy, BEFORE_ANY_EXPIRY);
  t.false(out.hostFindings.some((f) => f.rule === 'KATA-POLICY-002'));
  // And what matched now is remembered for the next scans.
  t.deepEqual([...policy.matchedSinceLoad].sort(), [0, 1, 2]);
});

test('an entry for other nodes is not unmatched here', (t) => {
  const text = POLICY.replace('namespace: gpu-*', 'node: gpu-*');
  const out = stage({ policy: parsePolicy(text, 'p.yaml', acknowledgeableRuleIds()), matchedSinceLoad: new Set() }, BEFORE_ANY_EXPIRY);
  t.false(out.hostFindings.some((f) => f.rule === 'KATA-POLICY-002'));
  t.false(out.summary!.entries[2]!.appliesToNode);
});
