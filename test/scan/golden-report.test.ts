import path from 'node:path';
import test from 'ava';
import { PolicySource } from '../../src/policy/source.js';
import { runScan, ScanState } from '../../src/scan.js';
import {
  EXAMPLE_HOST, FIXTURE_HOSTS_DIR, FIXTURE_POLICY_NOW, fixtureHostNames, fixturePolicyFile, fixtureScanConfig, materialise, REPO_ROOT,
} from '../helpers/fixture-roots.js';
import { assertGolden, normaliseReport } from '../helpers/golden.js';
import { loadFixtureHost } from '../../src/fixture-host/materialise.js';

// The node_exporter way: the whole JSON report of every fixture host against a reviewed golden file. A host with
// a policy.yaml is scanned with it as --policy.file, at a fixed clock.
for (const name of fixtureHostNames()) {
  test(`report of fixture host ${name} matches its golden file`, async (t) => {
    const policyFile = fixturePolicyFile(name);
    const state = policyFile ? new ScanState({ policy: PolicySource.open(policyFile), now: () => FIXTURE_POLICY_NOW }) : new ScanState();
    const report = await runScan(fixtureScanConfig(materialise(t, name)), state);
    // The policy file's path depends on the checkout: the golden shows where a package install keeps it.
    const text = `${JSON.stringify(normaliseReport(report), null, 2)}\n`;
    assertGolden(t, path.join(FIXTURE_HOSTS_DIR, name, 'report.golden.json'), policyFile ? text.replaceAll(policyFile, '/etc/kata-audit/policy.yaml') : text);
  });
}

test('report of the bundled example node matches its golden file', async (t) => {
  const report = await runScan(fixtureScanConfig(materialise(t, loadFixtureHost(EXAMPLE_HOST))));
  assertGolden(t, path.join(REPO_ROOT, 'test/fixtures/example-node.report.golden.json'), `${JSON.stringify(normaliseReport(report), null, 2)}\n`);
});

// A stage that reads a file twice (the Kata configuration: before and after discovery) must record its errors once.
for (const name of fixtureHostNames()) {
  test(`fixture host ${name}: no error is listed twice`, async (t) => {
    const report = await runScan(fixtureScanConfig(materialise(t, name)));
    const keys = report.errors.map((e) => JSON.stringify([e.stage, e.path, e.code, e.message]));
    t.deepEqual(keys.filter((k, i) => keys.indexOf(k) !== i), []);
  });
}

test('there are fixture hosts to compare', (t) => {
  t.true(fixtureHostNames().length >= 10, `only ${fixtureHostNames().length} fixture hosts under ${FIXTURE_HOSTS_DIR}`);
});
