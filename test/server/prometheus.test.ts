// A real Prometheus scrapes the real daemon serving a fixture host over loopback; its HTTP API must then hold
// the same sandbox counts and findings as the daemon's own report. This is the test that the exposition is
// not only lint-clean but ingested as meant (OpenMetrics negotiation, label values, no scrape errors).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import type { Report } from '../../src/model/report.js';
import { VMM_KINDS } from '../../src/model/report.js';
import { fixtureHostNames, fixtureScanConfig, materialise, REPO_ROOT } from '../helpers/fixture-roots.js';
import { startTestDaemon } from './helpers/daemon.js';
import { fetchText } from './helpers/http.js';
import { startPrometheus } from './helpers/prometheus.js';

/** The richest fixture there is: a host with Kata sandboxes and findings. */
function pickHost(): string | undefined {
  const hosts = fixtureHostNames();
  return ['go-qemu-3x', 'vfio-passthrough', 'virtiofsd-weak', 'go-qemu-2x-daemonized'].find((h) => hosts.includes(h)) ?? hosts[0];
}

test('Prometheus scrapes the daemon and its API returns the sandboxes and findings of the report', async (t) => {
  const host = pickHost();
  if (host === undefined) {
    t.fail('no fixture host under test/fixtures/hosts');
    return;
  }
  const roots = materialise(t, host);
  const daemon = await startTestDaemon(t, { scanConfig: fixtureScanConfig(roots), minIntervalMs: 1_000 });
  const report = JSON.parse((await fetchText(`${daemon.url}/report.json`)).body) as Report;
  // A second node whose look-alikes claim the id of a real sandbox: Prometheus must ingest it just as cleanly.
  const hasLookalikes = fixtureHostNames().includes('lookalikes');
  const other = hasLookalikes ? await startTestDaemon(t, { scanConfig: fixtureScanConfig(materialise(t, 'lookalikes')), minIntervalMs: 1_000 }) : undefined;
  const target = `127.0.0.1:${daemon.port}`;
  const prometheus = await startPrometheus(t, [target, ...(other ? [`127.0.0.1:${other.port}`] : [])]);

  const up = await prometheus.waitFor('up{job="kata-audit"} == 1');
  t.true(up.length >= 1);

  const sandboxes = await prometheus.waitFor(`kata_audit_sandboxes{instance="${target}"}`);
  const stored = Object.fromEntries(sandboxes.map((s) => [s.metric.vmm, Number(s.value[1])]));
  const expected = Object.fromEntries(VMM_KINDS.map((vmm) => [vmm, report.sandboxes.filter((s) => s.trusted && s.vmm === vmm).length]));
  t.deepEqual(stored, expected);
  t.true(Object.values(expected).some((n) => n > 0), `${host} has sandboxes`);

  const findings = await prometheus.waitFor(`kata_audit_finding{instance="${target}"}`);
  const storedFindings = findings.map((f) => `${f.metric.rule} ${f.metric.severity} ${f.metric.sandbox_id ?? ''}`).sort();
  const reported = [...report.findings, ...report.sandboxes.flatMap((s) => s.findings)].map((f) => `${f.rule} ${f.severity} ${f.sandboxId ?? ''}`);
  t.deepEqual(storedFindings, [...new Set(reported)].sort());
  t.true(findings.every((f) => f.value[1] === '1'));
  t.true(findings.length > 0, `${host} has findings`);

  // The join for pod names (they live on sandbox_info only). trusted="true" matters: a look-alike may claim the
  // id of a real sandbox, and its info series would make the match ambiguous.
  const joined = await prometheus.query(`kata_audit_sandbox_exposure_score{instance="${target}"} * on (sandbox_id) group_left (pod_name, pod_namespace) kata_audit_sandbox_info{trusted="true"}`);
  t.is(joined.length, report.sandboxes.filter((s) => s.trusted).length);

  if (other) {
    const lookalikes = JSON.parse((await fetchText(`${other.url}/report.json`)).body) as Report;
    const untrusted = await prometheus.waitFor(`kata_audit_untrusted_sandboxes{instance="127.0.0.1:${other.port}"}`);
    t.is(Number(untrusted[0]!.value[1]), lookalikes.sandboxes.filter((s) => !s.trusted).length);
  }

  // Every target scraped cleanly: no error, and the scrape took the agent's own series too.
  await prometheus.waitFor(`up{job="kata-audit"} == 1`);
  const targets = JSON.parse((await fetchText(`${prometheus.url}/api/v1/targets`)).body) as { data: { activeTargets: Array<{ health: string; lastError: string }> } };
  t.deepEqual(targets.data.activeTargets.map((x) => [x.health, x.lastError]), targets.data.activeTargets.map(() => ['up', '']));
  t.is((await prometheus.query(`process_resident_memory_bytes{instance="${target}"}`)).length, 1);
});

// Issue 9 item 9: one look-alike claiming a real id used to add a second kata_audit_sandbox_info series with that
// sandbox_id, and every alert joining `* on(sandbox_id, instance) group_left(...) kata_audit_sandbox_info` failed
// ("many-to-many matching not allowed") for the whole rule on every node. A real Prometheus evaluates every
// alerting and recording rule we ship against a node with look-alikes and a normal node: all must be healthy.
test('every shipped alert and recording rule evaluates cleanly against a node with look-alikes', async (t) => {
  const lookalikes = await startTestDaemon(t, { scanConfig: fixtureScanConfig(materialise(t, 'lookalikes')), minIntervalMs: 1_000 });
  const normal = await startTestDaemon(t, { scanConfig: fixtureScanConfig(materialise(t, 'go-qemu-3x')), minIntervalMs: 1_000 });
  // The recording rules run every minute in production; the copy runs at the global 1 s interval.
  const dir = mkdtempSync(path.join(tmpdir(), 'kata-audit-rules-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const ruleFiles = ['alerts.yaml', 'recording-rules.yaml'].map((f) => {
    const copy = path.join(dir, f);
    writeFileSync(copy, readFileSync(path.join(REPO_ROOT, 'deploy/prometheus', f), 'utf8').replace(/^\s+interval: .*$/gm, ''));
    return copy;
  });
  const prometheus = await startPrometheus(t, [`127.0.0.1:${lookalikes.port}`, `127.0.0.1:${normal.port}`], ruleFiles);
  await prometheus.waitFor('count(up{job="kata-audit"} == 1) == 2');
  // The look-alike and the real sandbox both appear, under ids that differ.
  const info = await prometheus.waitFor(`kata_audit_sandbox_info{instance="127.0.0.1:${lookalikes.port}"}`);
  const ids = info.map((s) => s.metric.sandbox_id!);
  t.is(new Set(ids).size, ids.length, 'no two info series share a sandbox_id');
  t.true(ids.some((id) => id.startsWith('untrusted:')));

  // Wait for two evaluations after both targets had data, then read every rule's health.
  const deadline = Date.now() + 30_000;
  let groups = await prometheus.rules();
  const evaluatedAfter = Date.now() + 2_500;
  while (Date.now() < deadline) {
    groups = await prometheus.rules();
    const all = groups.flatMap((g) => g.rules);
    if (all.length > 0 && all.every((r) => Date.parse(r.lastEvaluation) > evaluatedAfter)) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const rules = groups.flatMap((g) => g.rules.map((r) => ({ group: g.name, ...r })));
  t.true(rules.length >= 20, `${rules.length} rules loaded`);
  t.deepEqual(rules.filter((r) => r.health !== 'ok').map((r) => `${r.group}/${r.name}: ${r.health} ${r.lastError ?? ''}`), []);
  t.true(rules.every((r) => Date.parse(r.lastEvaluation) > evaluatedAfter), 'every rule was evaluated after both targets were up');
});
