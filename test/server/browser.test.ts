// The landing page in a real headless browser (Debian's chromium driven by playwright-core): the sandbox
// table and the findings are there, the hashed inline stylesheet applies under the page's CSP (no violation
// reported), details open without JavaScript, and hostile strings from the host stay text.
import test, { type ExecutionContext } from 'ava';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Report } from '../../src/model/report.js';
import { sampleFinding, sampleReport, sampleSandbox } from '../export/sample-report.js';
import { fixtureHostNames, fixtureScanConfig, materialise } from '../helpers/fixture-roots.js';
import { startTestDaemon } from './helpers/daemon.js';
import { fetchText } from './helpers/http.js';

/** playwright's launch() gives every browser a fresh, empty profile of its own. */
async function openBrowser(t: ExecutionContext): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  t.teardown(() => browser.close());
  return browser;
}

/** The DOM bits used inside page.evaluate (this project compiles without the DOM lib). */
type Dom = { getComputedStyle(element: unknown): { backgroundColor: string } };

/** Opens the page and collects console errors and page errors (CSP violations are console errors). */
async function load(browser: Browser, url: string): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ javaScriptEnabled: true });
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  const response = await page.goto(url, { waitUntil: 'load' });
  if (response?.status() !== 200) throw new Error(`${url} answered ${response?.status()}`);
  return { page, problems };
}

test('the landing page shows the sandbox table and the findings of a fixture host', async (t) => {
  const host = ['go-qemu-3x', 'virtiofsd-weak', 'vfio-passthrough'].find((h) => fixtureHostNames().includes(h)) ?? fixtureHostNames()[0];
  if (host === undefined) return t.fail('no fixture host');
  const daemon = await startTestDaemon(t, { scanConfig: fixtureScanConfig(materialise(t, host)) });
  const report = JSON.parse((await fetchText(`${daemon.url}/report.json`)).body) as Report;
  const browser = await openBrowser(t);
  const { page, problems } = await load(browser, `${daemon.url}/`);

  t.is(await page.title(), `kata-audit: ${report.node.hostname ?? 'this node'}`);
  const rows = page.locator('#sandbox-table tbody tr');
  t.is(await rows.count(), report.sandboxes.length);
  const ids = await page.locator('#sandbox-table tbody tr td:first-child a').evaluateAll((links) => links.map((a) => a.getAttribute('title')));
  t.deepEqual(ids, report.sandboxes.map((s) => s.id));
  const firstRow = await rows.first().innerText();
  t.true(firstRow.includes(report.sandboxes[0]!.vmm));
  t.true(firstRow.includes(String(report.sandboxes[0]!.exposureScore)));

  const findings = [...report.findings, ...report.sandboxes.flatMap((s) => s.findings)];
  t.true(findings.length > 0);
  const listed = await page.locator('#findings tr.finding').count();
  t.is(listed, findings.length);
  const first = findings[0]!;
  const findingsText = await page.locator('#findings').innerText();
  t.true(findingsText.includes(first.rule));
  t.true(findingsText.includes(first.remediation.trim().slice(0, 40)));

  // The stylesheet applied (its hash is in the CSP): a severity badge has a background.
  const background = await page.locator('#findings .sev').first().evaluate((el) => (globalThis as unknown as Dom).getComputedStyle(el).backgroundColor);
  t.not(background, 'rgba(0, 0, 0, 0)');
  // Details open with a click, no script involved.
  const details = page.locator('details').first();
  t.false(await details.evaluate((el) => (el as unknown as { open: boolean }).open));
  await details.locator('summary').click();
  t.true(await details.locator('table').first().isVisible());
  t.is(await page.locator('script').count(), 0);
  t.deepEqual(problems, []);

  // The links work.
  await page.locator('nav a', { hasText: 'Metrics' }).click();
  t.true((await page.content()).includes('kata_audit_sandboxes'));
});

test('hostile strings from the host stay text in the browser', async (t) => {
  const evil = '"><script>window.pwned=1</script><img src=x onerror="window.pwned=2">';
  const report = sampleReport({
    sandboxes: [sampleSandbox('evil-sandbox', {
      pod: { uid: null, name: `pod${evil}`, namespace: `ns${evil}` },
      findings: [sampleFinding('KATA-X-001', 'critical', 'evil-sandbox')],
      trustReasons: [evil],
      trusted: false,
    })],
    findings: [{ ...sampleFinding('KATA-HOST-001', 'high', null), evidence: evil, title: `</td></tr></table>${evil}` }],
    node: { ...sampleReport().node, hostname: `node${evil}` },
  });
  const daemon = await startTestDaemon(t, { scan: () => Promise.resolve(report) });
  const browser = await openBrowser(t);
  const { page, problems } = await load(browser, `${daemon.url}/`);
  t.is(await page.evaluate(() => (globalThis as unknown as { pwned?: number }).pwned), undefined);
  t.is(await page.locator('script').count(), 0);
  t.is(await page.locator('img').count(), 0);
  t.true((await page.locator('#findings').innerText()).includes(evil), 'shown as text');
  t.is(await page.locator('#sandbox-table tbody tr').count(), 1, 'the table structure held');
  t.deepEqual(problems, []);
});
