// The real daemon on a fixture host with a --policy.file: good -> bad keeps the last good policy and counts
// the failure (once per file state), bad -> good loads again; the metrics say all of it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { PolicyError } from '../../src/errors.js';
import { fixtureScanConfig, materialise } from '../helpers/fixture-roots.js';
import { memoryLogger, startTestDaemon } from '../server/helpers/daemon.js';
import { fetchText } from '../server/helpers/http.js';

const ack = (rule: string, owner: string) =>
  `acknowledgements:\n  - rule: ${rule}\n    reason: QEMU's agent channel, no userspace alternative\n    owner: ${owner}\n    expires: 2027-03-31\n    match:\n      vmm: qemu\n`;

const sample = (text: string, name: string): string[] => text.split('\n').filter((line) => line.startsWith(name));

test('reload: good -> bad keeps the last good policy and counts; bad -> good loads the new one', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kata-audit-policy-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'policy.yaml');
  writeFileSync(file, ack('KATA-VSOCK-001', 'team-a'));
  const { logger, lines } = memoryLogger();
  const daemon = await startTestDaemon(t, {
    scanConfig: fixtureScanConfig(materialise(t, 'go-qemu-3x')), policyFile: file, minIntervalMs: 0, logger, now: () => Date.UTC(2026, 11, 3),
  });
  const metrics = async () => (await fetchText(`${daemon.url}/metrics`)).body;

  let text = await metrics();
  const vsock = () => sample(text, 'kata_audit_finding{rule="KATA-VSOCK-001"');
  t.true(vsock().length > 0, text);
  t.true(vsock().every((line) => line.includes('acknowledged="true"')), vsock().join('\n'));
  t.deepEqual(sample(text, 'kata_audit_policy_reload_failures_total'), ['kata_audit_policy_reload_failures_total 0']);
  t.deepEqual(sample(text, 'kata_audit_policy_last_reload_success'), ['kata_audit_policy_last_reload_success 1']);
  t.deepEqual(sample(text, 'kata_audit_acknowledgement_expiry_timestamp_seconds{'), [
    `kata_audit_acknowledgement_expiry_timestamp_seconds{entry="0",rule="KATA-VSOCK-001",owner="team-a"} ${Date.UTC(2027, 2, 31, 23, 59, 59) / 1000}`,
  ]);

  writeFileSync(file, `${ack('KATA-VSOCK-001', 'team-a')}    oops: true\n`);
  text = await metrics();
  t.deepEqual(sample(text, 'kata_audit_policy_reload_failures_total'), ['kata_audit_policy_reload_failures_total 1']);
  t.deepEqual(sample(text, 'kata_audit_policy_last_reload_success'), ['kata_audit_policy_last_reload_success 0']);
  t.true(vsock().every((line) => line.includes('acknowledged="true"')), 'the last good policy is still in force');
  text = await metrics();
  t.deepEqual(sample(text, 'kata_audit_policy_reload_failures_total'), ['kata_audit_policy_reload_failures_total 1'], 'one failure per file state');
  t.is(lines.filter((line) => line.includes('policy file changed but does not load')).length, 1);
  t.true(lines.some((line) => line.includes('acknowledgements[0].oops')), lines.join(''));

  writeFileSync(file, ack('KATA-NET-001', 'team-network-b'));
  text = await metrics();
  t.deepEqual(sample(text, 'kata_audit_policy_last_reload_success'), ['kata_audit_policy_last_reload_success 1']);
  t.deepEqual(sample(text, 'kata_audit_policy_reload_failures_total'), ['kata_audit_policy_reload_failures_total 1']);
  t.true(vsock().every((line) => line.includes('acknowledged="false"')), 'the new policy does not acknowledge vsock');
  t.regex(text, /kata_audit_acknowledgement_expiry_timestamp_seconds\{entry="0",rule="KATA-NET-001",owner="team-network-b"\}/);
  t.notRegex(text, /owner="team-a"/, 'the old entry\'s series is gone');
});

test('a bad policy file at start is a PolicyError before anything listens', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kata-audit-policy-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'policy.yaml');
  writeFileSync(file, 'acknowledgements:\n  - rule: KATA-VSOCK-001\n    reason: r\n    owner: o\n');
  const error = await t.throwsAsync(startTestDaemon(t, { scanConfig: fixtureScanConfig(materialise(t, 'go-qemu-3x')), policyFile: file }), { instanceOf: PolicyError });
  t.is(error?.key, 'acknowledgements[0].expires');
  t.is(error?.line, 2);
});
