// The landing page in a real headless browser (Debian's chromium driven by playwright-core): the sandbox
// table and the findings are there, the hashed inline stylesheet applies under the page's CSP (no violation
// reported), details open without JavaScript, and hostile strings from the host stay text. On the example node
// at phone, laptop and desktop widths: no horizontal overflow, one diagram per sandbox, a sandbox link opens its
// panel, and rule pages render; on the look-alikes host every look-alike is marked where it appears.
import test, { type ExecutionContext } from 'ava';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Report } from '../../src/model/report.js';
import { groupFindings } from '../../src/render/findings-by-rule.js';
import { orderSandboxes } from '../../src/render/sandbox-order.js';
import { loadFixtureHost } from '../../src/fixture-host/materialise.js';
import { sampleFinding, sampleReport, sampleSandbox } from '../export/sample-report.js';
import { EXAMPLE_HOST, fixtureHostNames, fixtureScanConfig, materialise } from '../helpers/fixture-roots.js';
import { startTestDaemon } from './helpers/daemon.js';
import { fetchText } from './helpers/http.js';
import type { TrustReason } from '../../src/model/trust-reason.js';

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
async function load(browser: Browser, url: string, width = 1280): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ javaScriptEnabled: true, viewport: { width, height: 900 } });
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
  const ordered = orderSandboxes(report.sandboxes).map((entry) => entry.sandbox);
  t.deepEqual(ids, ordered.map((s) => s.id), 'most exposed first');
  const firstRow = await rows.first().innerText();
  t.true(firstRow.includes(ordered[0]!.vmm));
  t.true(firstRow.includes(String(ordered[0]!.exposureScore)));

  const findings = [...report.findings, ...report.sandboxes.flatMap((s) => s.findings)];
  t.true(findings.length > 0);
  const { active, acknowledged } = groupFindings(findings);
  const listed = await page.locator('#findings tr.finding').count();
  t.is(listed, active.length + acknowledged.length, 'one row per rule');
  const first = findings[0]!;
  const findingsText = await page.locator('#findings').innerText();
  t.true(findingsText.includes(first.rule));
  // Code spans are rendered: the text reads without its backticks.
  t.true(findingsText.includes(first.remediation.replace(/`/g, '').trim().slice(0, 40)));
  t.false(findingsText.includes('`'), 'no literal backtick left on the page');

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
      trustReasons: [evil as TrustReason], // not a reason discovery writes: proves escaping does not rely on the type
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

/** Sizes measured inside the page (this project compiles without the DOM lib). */
type Sizes = { scrollWidth: number; innerWidth: number };
const measure = (page: Page): Promise<Sizes> => page.evaluate(() => {
  const g = globalThis as unknown as { document: { documentElement: { scrollWidth: number } }; innerWidth: number };
  return { scrollWidth: g.document.documentElement.scrollWidth, innerWidth: g.innerWidth };
});

test('the example node at 390, 1024 and 1400 px: no overflow, a diagram per sandbox, links open panels, rule pages render', async (t) => {
  const daemon = await startTestDaemon(t, { scanConfig: fixtureScanConfig(materialise(t, loadFixtureHost(EXAMPLE_HOST))) });
  const report = JSON.parse((await fetchText(`${daemon.url}/report.json`)).body) as Report;
  t.true(report.sandboxes.length >= 5, 'the example node has sandboxes to draw');
  const browser = await openBrowser(t);
  for (const width of [390, 1024, 1400]) {
    const { page, problems } = await load(browser, `${daemon.url}/`, width);
    const { scrollWidth, innerWidth } = await measure(page);
    t.true(scrollWidth <= innerWidth, `${width} px: the document is ${scrollWidth} px wide in a ${innerWidth} px viewport`);
    const panels = page.locator('section.panel');
    t.is(await panels.count(), report.sandboxes.length);
    const perPanel = await panels.evaluateAll((list) => list.map((panel) => panel.querySelectorAll('figure.tm > svg[role="img"] > title').length));
    t.deepEqual(perPanel, report.sandboxes.map(() => 1), `${width} px: one titled diagram per sandbox`);
    t.true(await panels.last().locator('svg').isVisible());

    // The last sandbox's link: its panel is scrolled into view and is the :target.
    const link = page.locator('#sandbox-table tbody tr').last().locator('td:first-child a');
    const anchor = (await link.getAttribute('href'))!;
    await link.click();
    const target = page.locator(`section${anchor}`);
    await target.locator('svg').waitFor({ state: 'visible' });
    t.true(await target.evaluate((el) => (el as unknown as { matches(s: string): boolean }).matches(':target')));
    t.true(await target.locator('h3').isVisible());
    t.true(await target.evaluate((el) => {
      const box = (el as unknown as { getBoundingClientRect(): { top: number; bottom: number } }).getBoundingClientRect();
      return box.top < (globalThis as unknown as { innerHeight: number }).innerHeight && box.bottom > 0;
    }), `${width} px: the panel is on screen after the click`);
    t.deepEqual(problems, [], `${width} px: no CSP violation or page error`);
    await page.close();
  }

  // A rule link from the findings opens that rule's page, which renders under the same CSP.
  const { page, problems } = await load(browser, `${daemon.url}/`, 1024);
  const ruleLink = page.locator('#findings td.rule a').first();
  const rule = (await ruleLink.innerText()).trim();
  await ruleLink.click();
  await page.waitForURL(`**/rules/${rule}`);
  t.is(await page.title(), `kata-audit: ${rule}`);
  const text = await page.locator('#rule').innerText();
  t.true(text.includes('Remediation') && text.includes('Threat model') && text.includes('On this node now'));
  const { scrollWidth, innerWidth } = await measure(page);
  t.true(scrollWidth <= innerWidth);
  t.deepEqual(problems, []);
});

test('on the look-alikes host every look-alike is marked in the list, its panel, its diagram and the findings', async (t) => {
  const daemon = await startTestDaemon(t, { scanConfig: fixtureScanConfig(materialise(t, 'lookalikes')) });
  const report = JSON.parse((await fetchText(`${daemon.url}/report.json`)).body) as Report;
  const fakes = report.sandboxes.filter((s) => s.trust !== 'trusted');
  t.true(fakes.length >= 2);
  const browser = await openBrowser(t);
  const { page, problems } = await load(browser, `${daemon.url}/`, 1024);
  for (const fake of fakes) {
    const row = page.locator('#sandbox-table tbody tr', { has: page.locator(`a[title="${fake.id}"]`) });
    const rowText = await row.innerText();
    t.true(rowText.includes('LOOK-ALIKE') && rowText.includes('claims'), `row of ${fake.id}`);
    const anchor = (await row.locator('a').first().getAttribute('href'))!;
    const panel = page.locator(`section${anchor}`);
    t.true((await panel.locator('h3').innerText()).includes('LOOK-ALIKE'));
    t.true((await panel.locator('svg > title').textContent())!.startsWith('Threat model of LOOK-ALIKE claiming sandbox'));
  }
  // Every place a finding of a look-alike is listed carries the mark before the id it claims.
  const places = await page.locator('#findings ul.places li').evaluateAll((items) => items.map((li) => (li as unknown as { innerText: string }).innerText));
  const fakeFindings = fakes.flatMap((f) => f.findings);
  const marked = places.filter((p) => p.startsWith('LOOK-ALIKE claims '));
  t.is(marked.length, fakeFindings.length, 'one marked place per look-alike finding');
  t.true(places.filter((p) => p.includes('claims ')).every((p) => p.startsWith('LOOK-ALIKE')));
  t.deepEqual(problems, []);
});
