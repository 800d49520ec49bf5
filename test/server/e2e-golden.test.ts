// The node_exporter end-to-end test: the real daemon serves each fixture host (test/fixtures/hosts/*/host.yaml),
// its /metrics minus the families that change from run to run is diffed against the host's
// metrics.golden.prom, and the whole output goes through `promtool check metrics`.
// Regenerate after a deliberate change with `npm run update-golden` and review the diff.
import path from 'node:path';
import test from 'ava';
import { run } from '../helpers/deploy.js';
import { FIXTURE_HOSTS_DIR, FIXTURE_POLICY_NOW, fixtureHostNames, fixturePolicyFile, fixtureScanConfig, materialise } from '../helpers/fixture-roots.js';
import { assertGolden } from '../helpers/golden.js';
import { startTestDaemon } from './helpers/daemon.js';
import { fetchText } from './helpers/http.js';

/** Families whose values change from run to run or machine to machine. */
const VOLATILE = [
  /^process_/,
  /^nodejs_/,
  /^kata_audit_build_info$/,
  /_duration_seconds$/,
  /^kata_audit_last_scan_timestamp_seconds$/,
  /^kata_audit_scans_total$/,
  /^kata_audit_scan_failures_total$/,
];

/** Drops whole volatile families (HELP, TYPE and samples) from a text exposition. */
export function withoutVolatileFamilies(text: string): string {
  const kept = text
    .trimEnd()
    .split('\n\n')
    .filter((block) => {
      const name = /^# HELP (\S+)/.exec(block)?.[1];
      if (name === undefined) throw new Error(`exposition block without HELP: ${block.slice(0, 80)}`);
      return !VOLATILE.some((re) => re.test(name));
    });
  return `${kept.join('\n\n')}\n`;
}

const hosts = fixtureHostNames();

test('there are fixture hosts to compare', (t) => {
  t.true(hosts.length > 0, `no host.yaml under ${FIXTURE_HOSTS_DIR}`);
});

for (const name of hosts) {
  test(`fixture host ${name}: /metrics matches metrics.golden.prom and passes promtool`, async (t) => {
    const roots = materialise(t, name);
    const policyFile = fixturePolicyFile(name);
    const daemon = await startTestDaemon(t, { scanConfig: fixtureScanConfig(roots), ...(policyFile ? { policyFile, now: () => FIXTURE_POLICY_NOW } : {}) });
    const res = await fetchText(`${daemon.url}/metrics`, { headers: { Accept: 'text/plain;version=0.0.4' } });
    t.is(res.status, 200);

    const lint = await run('/usr/bin/promtool', ['check', 'metrics'], { input: res.body, timeoutMs: 30_000 });
    t.is(lint.code, 0, 'promtool exit code');
    t.is(`${lint.stdout}${lint.stderr}`, '', 'promtool has nothing to say');

    assertGolden(t, path.join(FIXTURE_HOSTS_DIR, name, 'metrics.golden.prom'), withoutVolatileFamilies(res.body));
  });
}
