// The HTTP surface of the real daemon on a loopback port: each endpoint returns what it promises, the
// protocol edge cases get the right status, a slow client cannot hold the server, a failing scan never takes
// the daemon down, and shutdown lets in-flight requests finish.
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ScanUnavailableError } from '../../src/errors.js';
import { PAGE_CSP } from '../../src/render/html-style.js';
import type { Report } from '../../src/model/report.js';
import { parseFamilies, valueOf } from '../helpers/exposition.js';
import { SANDBOX_A, sampleReport } from '../export/sample-report.js';
import { eventually, startTestDaemon } from './helpers/daemon.js';
import { fetchText, rawRequest, statusOf, trickle } from './helpers/http.js';

const fixed = (report: Report = sampleReport()) => () => Promise.resolve(report);

test('/metrics: the exposition, text format by default, OpenMetrics when asked, gzip when accepted', async (t) => {
  const daemon = await startTestDaemon(t, { scan: fixed() });
  const text = await fetchText(`${daemon.url}/metrics`);
  t.is(text.status, 200);
  t.is(text.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
  const families = parseFamilies(text.body);
  t.is(valueOf(families, 'kata_audit_sandboxes', { vmm: 'qemu' }), 1);
  t.is(valueOf(families, 'kata_audit_scans_total'), 1);
  t.true(families.has('process_resident_memory_bytes'));

  const om = await fetchText(`${daemon.url}/metrics`, { headers: { Accept: 'application/openmetrics-text;version=1.0.0,text/plain;q=0.5' } });
  t.is(om.headers['content-type'], 'application/openmetrics-text; version=1.0.0; charset=utf-8');
  t.true(om.body.endsWith('# EOF\n'));

  const zipped = await fetchText(`${daemon.url}/metrics`, { headers: { 'Accept-Encoding': 'gzip' } });
  t.is(zipped.headers['content-encoding'], 'gzip');
  t.is(zipped.body.split('\n').filter((l) => l.startsWith('kata_audit_')).join('\n'), text.body.split('\n').filter((l) => l.startsWith('kata_audit_')).join('\n'));
});

test('/report.json escapes the DEL, C1 and bidi characters a workload wrote (curl | less stays inert), losslessly', async (t) => {
  const hostile = 'pod\u202ename\u009b31m\u007f\u2066x';
  const base = sampleReport();
  const report: Report = { ...base, sandboxes: base.sandboxes.map((s) => ({ ...s, pod: { ...s.pod, name: hostile } })) };
  const daemon = await startTestDaemon(t, { scan: fixed(report) });
  const json = await fetchText(`${daemon.url}/report.json`);
  t.is(json.status, 200);
  t.notRegex(json.body, /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u, 'no raw control or bidi character on the wire');
  t.true(json.body.includes('pod\\u202ename\\u009b31m\\u007f\\u2066x'));
  t.deepEqual(JSON.parse(json.body), JSON.parse(JSON.stringify(report)), 'parses to the same report');
});

test('/report.json is the report; /healthz is alive; / is the page with its own CSP', async (t) => {
  const report = sampleReport();
  const daemon = await startTestDaemon(t, { scan: fixed(report) });
  const json = await fetchText(`${daemon.url}/report.json`);
  t.is(json.status, 200);
  t.is(json.headers['content-type'], 'application/json; charset=utf-8');
  t.deepEqual(JSON.parse(json.body), JSON.parse(JSON.stringify(report)));

  const health = await fetchText(`${daemon.url}/healthz`);
  t.is(health.status, 200);
  t.is(health.body, 'ok\n');

  const page = await fetchText(`${daemon.url}/`);
  t.is(page.status, 200);
  t.is(page.headers['content-type'], 'text/html; charset=utf-8');
  t.is(page.headers['content-security-policy'], PAGE_CSP);
  t.true(page.body.includes(`title="${SANDBOX_A}"`));
  t.true(page.body.includes('href="/metrics"'));
  t.true(page.body.includes('href="/report.json"'));
});

test('security headers on every answer', async (t) => {
  const daemon = await startTestDaemon(t, { scan: fixed() });
  for (const p of ['/metrics', '/healthz', '/nope']) {
    const res = await fetchText(`${daemon.url}${p}`);
    t.is(res.headers['x-content-type-options'], 'nosniff', p);
    t.is(res.headers['x-frame-options'], 'DENY', p);
    t.is(res.headers['cache-control'], 'no-store', p);
    t.regex(String(res.headers['content-security-policy']), /default-src 'none'/, p);
  }
});

test('web config headers win over the defaults', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kata-audit-http-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'web.yml');
  writeFileSync(file, "http_server_config:\n  headers:\n    X-Frame-Options: sameorigin\n    Content-Security-Policy: \"default-src 'self'\"\n");
  const daemon = await startTestDaemon(t, { scan: fixed(), webConfigFile: file });
  const res = await fetchText(`${daemon.url}/`);
  t.is(res.headers['x-frame-options'], 'sameorigin');
  t.is(res.headers['content-security-policy'], "default-src 'self'");
});

test('/readyz is 503 until the first scan completed', async (t) => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const daemon = await startTestDaemon(t, { scan: async () => { await gate; return sampleReport(); } });
  const before = await fetchText(`${daemon.url}/readyz`);
  t.is(before.status, 503);
  t.is((await fetchText(`${daemon.url}/healthz`)).status, 200, 'alive while the first scan runs');
  release();
  await eventually(async () => (await fetchText(`${daemon.url}/readyz`)).status === 200);
  t.is((await fetchText(`${daemon.url}/readyz`)).body, 'ready\n');
});

test('404, 405 (with Allow), HEAD without a body', async (t) => {
  const daemon = await startTestDaemon(t, { scan: fixed() });
  t.is((await fetchText(`${daemon.url}/metrics/`)).status, 404);
  t.is((await fetchText(`${daemon.url}/favicon.ico`)).status, 404);
  const post = await fetchText(`${daemon.url}/metrics`, { method: 'POST' });
  t.is(post.status, 405);
  t.is(post.headers.allow, 'GET, HEAD');
  t.is((await fetchText(`${daemon.url}/healthz`, { method: 'DELETE' })).status, 405);
  const head = await fetchText(`${daemon.url}/metrics`, { method: 'HEAD' });
  t.is(head.status, 200);
  t.is(head.body, '');
  t.true(Number(head.headers['content-length']) > 1000);
});

test('414 for an oversized target, 431 for oversized headers, 400 for dot segments and bad encoding', async (t) => {
  const daemon = await startTestDaemon(t, { scan: fixed() });
  t.is((await fetchText(`${daemon.url}/metrics?${'a'.repeat(3000)}`)).status, 414);
  const big = await rawRequest(daemon.port, `GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
  t.is(statusOf(big), 431);
  for (const target of ['/../metrics', '/x/../metrics', '/%2e%2e/metrics', '/%2E%2E%2fmetrics', '/./metrics', '/%zz', '/a%00b', 'metrics', '*']) {
    const raw = await rawRequest(daemon.port, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    t.is(statusOf(raw), 400, target);
  }
  // The daemon is still fine afterwards.
  t.is((await fetchText(`${daemon.url}/healthz`)).status, 200);
});

test('a trickling client is dropped after the header timeout without blocking another client', async (t) => {
  const daemon = await startTestDaemon(t, { scan: fixed(), limits: { headersTimeoutMs: 1_000, requestTimeoutMs: 2_000, checkIntervalMs: 200 } });
  const slow = trickle(daemon.port, 100);
  // Meanwhile a normal client is served promptly, several times.
  for (let i = 0; i < 5; i++) {
    const started = Date.now();
    t.is((await fetchText(`${daemon.url}/metrics`)).status, 200);
    t.true(Date.now() - started < 2_500, 'served while the trickler is connected');
  }
  const { afterMs, received } = await slow.closed;
  // headersTimeout 1 s, checked every 0.2 s; the rest is slack for a loaded CI machine.
  t.true(afterMs < 5_000, `dropped after ${afterMs} ms`);
  t.true(received === '' || statusOf(received) === 408, received.slice(0, 40));
});

test('a scan that fails as a whole: 200 with scan_success 0, /report.json 503, the daemon stays up', async (t) => {
  let broken = true;
  let calls = 0;
  const daemon = await startTestDaemon(t, {
    minIntervalMs: 0,
    scan: async () => {
      calls++;
      if (broken) throw new ScanUnavailableError('the procfs root /host/proc does not exist');
      return sampleReport();
    },
  });
  await eventually(() => calls >= 1);
  const metrics = await fetchText(`${daemon.url}/metrics`);
  t.is(metrics.status, 200);
  const families = parseFamilies(metrics.body);
  t.is(valueOf(families, 'kata_audit_scan_success'), 0);
  t.false(families.has('kata_audit_sandboxes'));
  const json = await fetchText(`${daemon.url}/report.json`);
  t.is(json.status, 503);
  t.deepEqual(JSON.parse(json.body), { error: 'the procfs root /host/proc does not exist', code: 'ERR_SCAN_UNAVAILABLE' });
  t.is((await fetchText(`${daemon.url}/readyz`)).status, 503);
  const page = await fetchText(`${daemon.url}/`);
  t.is(page.status, 503);
  t.true(page.body.includes('/host/proc does not exist'));
  // The host comes back: the next scan works and everything recovers.
  broken = false;
  const recovered = parseFamilies((await fetchText(`${daemon.url}/metrics`)).body);
  t.is(valueOf(recovered, 'kata_audit_scan_success'), 1);
  t.is(valueOf(recovered, 'kata_audit_scan_failures_total'), calls - 1);
  t.is((await fetchText(`${daemon.url}/readyz`)).status, 200);
});

test('scrapes within the interval share one scan; concurrent scrapes share the scan in flight', async (t) => {
  let scans = 0;
  const daemon = await startTestDaemon(t, {
    minIntervalMs: 60_000,
    scan: async () => {
      scans++;
      await new Promise((resolve) => setTimeout(resolve, 200));
      return sampleReport();
    },
  });
  // 12 at once: under the per-client cap of 16 connections (a 17th from one address is refused by design).
  const results = await Promise.all(Array.from({ length: 12 }, () => fetchText(`${daemon.url}/metrics`)));
  t.true(results.every((r) => r.status === 200));
  await fetchText(`${daemon.url}/report.json`);
  await fetchText(`${daemon.url}/`);
  t.is(scans, 1);
  t.is(valueOf(parseFamilies(results[0]!.body), 'kata_audit_scans_total'), 1);
});

test('rate_limit from the web config answers 429 beyond the burst', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kata-audit-http-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'web.yml');
  writeFileSync(file, 'rate_limit:\n  interval: 1m\n  burst: 3\n');
  const daemon = await startTestDaemon(t, { scan: fixed(), webConfigFile: file });
  const statuses = [];
  for (let i = 0; i < 5; i++) statuses.push((await fetchText(`${daemon.url}/healthz`)).status);
  t.deepEqual(statuses, [200, 200, 200, 429, 429]);
});

test('the textfile is written every interval, without the agent\'s own process metrics', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kata-audit-http-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'kata.prom');
  await startTestDaemon(t, { scan: fixed(), textfile: file, minIntervalMs: 1_000 });
  await eventually(() => {
    try {
      return readFileSync(file, 'utf8').includes('kata_audit_sandboxes');
    } catch {
      return false;
    }
  });
  const text = readFileSync(file, 'utf8');
  t.false(/^process_|^nodejs_/m.test(text), 'node_exporter exports its own process_* metrics');
  t.is(valueOf(parseFamilies(text), 'kata_audit_sandboxes', { vmm: 'qemu' }), 1);
});

test('shutdown: in-flight requests finish, new connections are refused', async (t) => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let entered!: () => void;
  const inHandler = new Promise<void>((resolve) => (entered = resolve));
  let first = true;
  const daemon = await startTestDaemon(t, {
    minIntervalMs: 0,
    scan: async () => {
      if (first) {
        first = false;
        return sampleReport();
      }
      entered();
      await gate;
      return sampleReport();
    },
  });
  await eventually(() => daemon.scheduler.ready);
  const inFlight = fetchText(`${daemon.url}/metrics`);
  // The request is being answered (its scan runs) before shutdown begins.
  await inHandler;
  const closing = daemon.close(3_000);
  await t.throwsAsync(fetchText(`${daemon.url}/healthz`, { timeoutMs: 1_000 }));
  release();
  const res = await inFlight;
  t.is(res.status, 200);
  t.is(res.headers.connection, 'close');
  await closing;
});

test('beyond the connection cap new connections are dropped, and served again once a slot frees', async (t) => {
  const daemon = await startTestDaemon(t, { scan: fixed(), limits: { maxConnections: 2 } });
  const { connect } = await import('node:net');
  const hold = await Promise.all([0, 1].map(() => new Promise<import('node:net').Socket>((resolve) => {
    const socket = connect(daemon.port, '127.0.0.1', () => resolve(socket));
    socket.on('error', () => {});
  })));
  await new Promise((resolve) => setTimeout(resolve, 100));
  await t.throwsAsync(fetchText(`${daemon.url}/healthz`, { timeoutMs: 2_000 }));
  hold[0]!.destroy();
  await eventually(async () => (await fetchText(`${daemon.url}/healthz`).catch(() => ({ status: 0 }))).status === 200);
  hold[1]!.destroy();
  t.pass();
});
