import test from 'ava';
import { Registry } from 'prom-client';
import { OPENMETRICS_CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE, renderExposition, renderMetrics } from '../../src/export/metrics.js';
import { SelfMetrics } from '../../src/export/self-metrics.js';
import { BUILD_INFO, sampleReport } from './sample-report.js';

// The exposition is spliced from a cached report part and the live self part: it must be byte for byte what one
// merged registry would print, in both formats, and a cached report part must never serve other options.
const stripVolatile = (text: string) => text.split('\n').filter((line) => !/^(process_|nodejs_)/.test(line)).join('\n');

for (const contentType of [PROMETHEUS_CONTENT_TYPE, OPENMETRICS_CONTENT_TYPE]) {
  test(`spliced exposition equals the merged registry (${contentType.split(';')[0]})`, async (t) => {
    const report = sampleReport();
    const self = new SelfMetrics();
    const options = { perSandbox: true, buildInfo: BUILD_INFO, scans: { total: 3, failures: 0 }, self };
    const spliced = await renderExposition(report, options, contentType);
    const merged = await (Registry.merge([renderMetrics(report, options, contentType), self.registry(contentType)] as Registry[]).metrics());
    t.is(stripVolatile(spliced), stripVolatile(merged));
    t.is(spliced.match(/^# EOF$/gm)?.length ?? 0, contentType === OPENMETRICS_CONTENT_TYPE ? 1 : 0);
  });
}

test('the cached report part follows the options and the scan counters', async (t) => {
  const report = sampleReport();
  const perSandbox = await renderExposition(report, { perSandbox: true, buildInfo: BUILD_INFO, scans: { total: 1, failures: 0 } });
  const aggregate = await renderExposition(report, { perSandbox: false, buildInfo: BUILD_INFO, scans: { total: 1, failures: 0 } });
  const later = await renderExposition(report, { perSandbox: true, buildInfo: BUILD_INFO, scans: { total: 2, failures: 0 } });
  t.true(perSandbox.includes('sandbox_id='));
  t.false(aggregate.includes('sandbox_id='));
  t.regex(later, /^kata_audit_scans_total 2$/m);
  t.is(await renderExposition(report, { perSandbox: true, buildInfo: BUILD_INFO, scans: { total: 1, failures: 0 } }), perSandbox);
});
