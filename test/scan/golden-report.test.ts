import path from 'node:path';
import test from 'ava';
import { runScan } from '../../src/scan.js';
import { EXAMPLE_HOST, FIXTURE_HOSTS_DIR, fixtureHostNames, fixtureScanConfig, materialise, REPO_ROOT } from '../helpers/fixture-roots.js';
import { assertGolden, normaliseReport } from '../helpers/golden.js';
import { loadFixtureHost } from '../../src/fixture-host/materialise.js';

// The node_exporter way: the whole JSON report of every fixture host against a reviewed golden file.
for (const name of fixtureHostNames()) {
  test(`report of fixture host ${name} matches its golden file`, async (t) => {
    const report = await runScan(fixtureScanConfig(materialise(t, name)));
    assertGolden(t, path.join(FIXTURE_HOSTS_DIR, name, 'report.golden.json'), `${JSON.stringify(normaliseReport(report), null, 2)}\n`);
  });
}

test('report of the bundled example node matches its golden file', async (t) => {
  const report = await runScan(fixtureScanConfig(materialise(t, loadFixtureHost(EXAMPLE_HOST))));
  assertGolden(t, path.join(REPO_ROOT, 'test/fixtures/example-node.report.golden.json'), `${JSON.stringify(normaliseReport(report), null, 2)}\n`);
});

test('there are fixture hosts to compare', (t) => {
  t.true(fixtureHostNames().length >= 10, `only ${fixtureHostNames().length} fixture hosts under ${FIXTURE_HOSTS_DIR}`);
});
