// GET /rules/<ID> on the real daemon: a catalogue id answers its page under the page CSP; anything else answers
// an HTML 404 under the same CSP, after the same checks as every path (auth, method).
import test from 'ava';
import { PAGE_CSP } from '../../src/render/html-style.js';
import { sampleFinding, sampleReport, sampleSandbox, SANDBOX_A } from '../export/sample-report.js';
import { startTestDaemon } from './helpers/daemon.js';
import { fetchText } from './helpers/http.js';

const report = sampleReport({ sandboxes: [sampleSandbox(SANDBOX_A, { findings: [{ ...sampleFinding('KATA-VMM-001', 'high', SANDBOX_A), evidence: 'seen on this node' }] })] });

test('a known rule id answers its page with the page CSP, in either case', async (t) => {
  const daemon = await startTestDaemon(t, { scan: () => Promise.resolve(report) });
  for (const id of ['KATA-VMM-001', 'kata-vmm-001']) {
    const res = await fetchText(`${daemon.url}/rules/${id}`);
    t.is(res.status, 200, id);
    t.is(res.headers['content-type'], 'text/html; charset=utf-8');
    t.is(res.headers['content-security-policy'], PAGE_CSP);
    t.true(res.body.includes('The VMM runs without seccomp'));
    t.true(res.body.includes('seen on this node'), 'occurrences from the current report');
  }
});

test('an unknown or malformed id answers 404 with the same CSP and without echoing it', async (t) => {
  const daemon = await startTestDaemon(t, { scan: () => Promise.resolve(report) });
  for (const path of ['/rules/KATA-VMM-999', '/rules/%3Cscript%3Ealert(1)%3C%2Fscript%3E', '/rules/KATA-VMM-001/extra', '/rules/', '/rules/KATA-VMM-001%00']) {
    const res = await fetchText(`${daemon.url}${path}`);
    if (path.endsWith('%00')) {
      t.is(res.status, 400, 'a NUL is a malformed path before any route');
      continue;
    }
    t.is(res.status, 404, path);
    t.is(res.headers['content-security-policy'], PAGE_CSP, path);
    t.true(res.body.includes('No such rule.'));
    t.false(res.body.includes('<script>alert'), 'not echoed');
  }
  const post = await fetchText(`${daemon.url}/rules/KATA-VMM-001`, { method: 'POST' });
  t.is(post.status, 405);
});
