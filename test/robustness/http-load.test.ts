// HTTP under load: 50 concurrent scrapers for 20 s against /metrics of the real daemon (autocannon, in its
// own process so that the load generator does not share an event loop with the test). No errors, no
// non-2xx, p99 latency reported, and the number of scans stays bounded by --scan.min-interval: one scan
// serves every scraper that arrives within the interval.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { REPO_ROOT } from '../helpers/agent-daemon.js';
import { parseExposition } from '../helpers/exposition.js';
import { get } from '../helpers/http-probe.js';
import { syntheticHost } from '../helpers/synthetic-host.js';
import { daemonFor, materialised, ready } from './helpers.js';

const run = promisify(execFile);
const CONNECTIONS = 50;
const DURATION_S = 20;
const MIN_INTERVAL_S = 1;

interface AutocannonJson {
  errors: number;
  timeouts: number;
  non2xx: number;
  resets: number;
  requests: { total: number; average: number };
  latency: { p50: number; p90: number; p99: number; max: number; average: number };
  '2xx': number;
}

async function scansTotal(url: string): Promise<number> {
  const res = await get(`${url}/metrics`);
  const sample = parseExposition(res.body).samples.find((s) => s.name === 'kata_audit_scans_total');
  if (sample === undefined) throw new Error('kata_audit_scans_total is missing from /metrics');
  return sample.value;
}

test('50 concurrent scrapers for 20 s: no errors, bounded scans', async (t) => {
  // A node with 40 sandboxes among 600 processes: scans take tens of milliseconds, the exposition is a
  // realistic few hundred KB, so the test exercises render and gzip under contention, not an empty page.
  const roots = materialised(t, syntheticHost({ sandboxes: 40, otherProcesses: 600 }));
  // Every autocannon connection comes from 127.0.0.1; real scrapers are separate addresses, each under the
  // per-client cap of 16 (its own test: test/server/client-budgets.test.ts).
  const daemon = await daemonFor(t, { ...roots, minInterval: `${MIN_INTERVAL_S}s`, extraArgs: [`--web.max-connections-per-client=${CONNECTIONS * 2}`] });
  await ready(daemon.url);
  const windowStart = Date.now();
  const before = await scansTotal(daemon.url);

  const cli = path.join(REPO_ROOT, 'node_modules/autocannon/autocannon.js');
  const { stdout } = await run(process.execPath, [
    cli, '--json', '--connections', String(CONNECTIONS), '--duration', String(DURATION_S), '--timeout', '10',
    '--headers', 'Accept-Encoding=gzip', '--headers', 'Accept=text/plain;version=0.0.4',
    `${daemon.url}/metrics`,
  ], { maxBuffer: 16 * 1024 * 1024, timeout: (DURATION_S + 20) * 1000 });
  const result = JSON.parse(stdout) as AutocannonJson;

  const after = await scansTotal(daemon.url);
  // The window runs from the first counter read to the last one: the load's 20 s plus autocannon's own start
  // and exit. Within it a new scan can start at most once per interval, plus the one the last read may start.
  const windowS = (Date.now() - windowStart) / 1000;
  const scans = after - before;
  const bound = Math.floor(windowS / MIN_INTERVAL_S) + 2;
  t.log(`${result.requests.total} requests (${result.requests.average.toFixed(0)}/s), latency p50 ${result.latency.p50} ms, p90 ${result.latency.p90} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms`);
  t.log(`scans during the load: ${scans} in a ${windowS.toFixed(1)} s window (bound ${bound} = ${windowS.toFixed(1)} s / ${MIN_INTERVAL_S} s + 2)`);

  t.is(result.errors, 0, 'connection errors');
  t.is(result.timeouts, 0, 'timeouts');
  t.is(result.non2xx, 0, 'non-2xx answers');
  t.true(result['2xx'] > CONNECTIONS, 'requests were served');
  t.true(scans <= bound, `${scans} scans in ${windowS.toFixed(1)} s with --scan.min-interval=${MIN_INTERVAL_S}s`);
  t.true(windowS < DURATION_S + 15, 'the window stayed close to the load duration');
  t.true(scans >= 2, 'scans went on during the load (the interval expired and new scans ran)');
  t.is(daemon.child.exitCode, null, 'the daemon is still running');
  t.is((await get(`${daemon.url}/healthz`)).status, 200);
  t.notRegex(daemon.output(), /level=error|Unhandled|uncaught/i);
});
