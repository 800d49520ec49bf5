// The real `promtool check metrics` (Debian's prometheus package) has nothing to say about any exposition the
// agent can produce: per sandbox, aggregated, with hostile values, after a failed scan, with its own metrics.
import test from 'ava';
import { renderExposition } from '../../src/export/metrics.js';
import { SelfMetrics } from '../../src/export/self-metrics.js';
import { run } from '../helpers/deploy.js';
import { BUILD_INFO, sampleReport, sampleSandbox } from './sample-report.js';

const PROMTOOL = '/usr/bin/promtool';

async function promtoolSays(t: import('ava').ExecutionContext, text: string, what: string): Promise<void> {
  const result = await run(PROMTOOL, ['check', 'metrics'], { input: text, timeoutMs: 30_000 });
  t.is(result.code, 0, `${what}: promtool exit code`);
  t.is(`${result.stdout}${result.stderr}`, '', `${what}: promtool output`);
}

const self = new SelfMetrics();
const base = { perSandbox: true, buildInfo: BUILD_INFO, scans: { total: 4, failures: 1 }, self };

test('per-sandbox exposition with the agent\'s own metrics', async (t) => {
  await promtoolSays(t, await renderExposition(sampleReport(), base), 'per-sandbox');
});

test('aggregate exposition (--metrics.per-sandbox=false)', async (t) => {
  await promtoolSays(t, await renderExposition(sampleReport(), { ...base, perSandbox: false }), 'aggregate');
});

test('hostile label values', async (t) => {
  const sandboxes = [sampleSandbox('hostile-1', { pod: { uid: null, name: 'a"b\\c\nd} x="y"', namespace: '\u00e9\u{1F600}' } })];
  await promtoolSays(t, await renderExposition(sampleReport({ sandboxes }), base), 'hostile');
});

test('a failed scan', async (t) => {
  await promtoolSays(t, await renderExposition(null, base), 'unavailable');
});

test('an empty node', async (t) => {
  await promtoolSays(t, await renderExposition(sampleReport({ sandboxes: [], findings: [], errors: [], collectors: [] }), base), 'empty');
});
