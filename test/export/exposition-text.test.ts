import test from 'ava';
import fc from 'fast-check';
import { OPENMETRICS_CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE, registryOf, renderMetrics, renderUnavailableMetrics } from '../../src/export/metrics.js';
import { writeExposition } from '../../src/export/exposition-text.js';
import { FamilyBuilder } from '../../src/export/metric-family.js';
import { reportFamilies, unavailableFamilies } from '../../src/export/report-families.js';
import type { RegistryContentType } from 'prom-client';
import { BUILD_INFO, LOOKALIKE, sampleReport, sampleSandbox } from './sample-report.js';

// The daemon writes the report's exposition itself; prom-client's Registry is the reference it must equal byte
// for byte, in both formats, for every family the report has and for label values a workload can choose.
const FORMATS: readonly RegistryContentType[] = [PROMETHEUS_CONTENT_TYPE, OPENMETRICS_CONTENT_TYPE];
const name = (contentType: RegistryContentType): string => contentType.split(';')[0]!;

for (const contentType of FORMATS) {
  for (const perSandbox of [true, false]) {
    test(`the writer equals prom-client on the sample report (${name(contentType)}, perSandbox ${perSandbox})`, async (t) => {
      // A look-alike's id is attacker-chosen: quotes, backslashes and newlines must be escaped the same way.
      const report = sampleReport();
      report.sandboxes.push(sampleSandbox(`untrusted:${LOOKALIKE}"\\\n}x="1`, { trusted: false }));
      const options = { perSandbox, buildInfo: BUILD_INFO, scans: { total: 7, failures: 2 } };
      const expected = await renderMetrics(report, options, contentType).metrics();
      t.is(writeExposition(reportFamilies(report, options), contentType), expected);
      if (perSandbox) t.true(expected.includes('\\"'), 'the hostile id reached a label');
    });
  }
  test(`the writer equals prom-client for a failed scan (${name(contentType)})`, async (t) => {
    const options = { perSandbox: true, buildInfo: BUILD_INFO, scans: { total: 1, failures: 1 } };
    t.is(writeExposition(unavailableFamilies(options), contentType), await renderUnavailableMetrics(options, contentType).metrics());
  });
}

test('the writer equals prom-client for arbitrary label values, help texts and values', async (t) => {
  const value = fc.oneof(fc.double({ noNaN: false }), fc.integer(), fc.constantFrom(0, -0, Infinity, -Infinity, NaN, 1e21, 5e-324));
  await fc.assert(fc.asyncProperty(
    fc.array(fc.tuple(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), value), { maxLength: 6 }),
    fc.string({ unit: 'binary', minLength: 1 }),
    fc.boolean(),
    async (rows, help, counter) => {
      const b = new FamilyBuilder(counter ? 'kata_audit_x_total' : 'kata_audit_x', help, ['a', 'b'], counter ? 'counter' : 'gauge');
      for (const [x, y, v] of rows) b.set([x, y], v);
      const families = [b.build(), new FamilyBuilder('kata_audit_empty', 'no series', ['a']).build()];
      for (const contentType of FORMATS) {
        if (writeExposition(families, contentType) !== await registryOf(families, contentType).metrics()) return false;
      }
      return true;
    },
  ), { numRuns: 300 });
  t.pass();
});
