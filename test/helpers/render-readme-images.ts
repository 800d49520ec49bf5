// Renders the README's pictures of the landing page from the example node's report (the reviewed golden
// test/fixtures/example-node.report.golden.json, so the pictures change exactly when that report does):
//   docs/images/threat-model-<id>.svg   one threat-model diagram per sandbox, the same SVG the page inlines
//   docs/images/landing-page.png        the top of the page at 1400 px, shot in the system Chromium
//   docs/images/landing-page.png.sha256 the SHA-256 of the HTML that PNG was shot from
// test/render/readme-images.test.ts fails when a committed image is stale (PNG bytes vary with fonts and
// Chromium versions, so the PNG is held to the HTML it was made from). Regenerate with:
//
//   npx tsc -p . && node dist/test/helpers/render-readme-images.js
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Report } from '../../src/model/report.js';
import { renderHtml } from '../../src/render/html.js';
import { labelOfSandbox } from '../../src/render/sandbox-label.js';
import { orderSandboxes } from '../../src/render/sandbox-order.js';
import { buildThreatModel } from '../../src/render/threat-model.js';
import { renderThreatModelSvg } from '../../src/render/threat-model-svg.js';
import { repoPath } from './deploy.js';

export const IMAGES_DIR = repoPath('docs/images');
export const LANDING_PNG = path.join(IMAGES_DIR, 'landing-page.png');
export const LANDING_HASH = `${LANDING_PNG}.sha256`;
export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOT = { width: 1400, height: 1300 };

export function exampleReport(): Report {
  return JSON.parse(readFileSync(repoPath('test/fixtures/example-node.report.golden.json'), 'utf8')) as Report;
}

/** File name → SVG, one per sandbox, named by the id it claims (and marked for a look-alike). */
export function renderReadmeSvgs(report: Report): Map<string, string> {
  const files = new Map<string, string>();
  for (const { sandbox, anchor } of orderSandboxes(report.sandboxes)) {
    const label = labelOfSandbox(sandbox);
    const name = `threat-model-${label.claimedId.slice(0, 12)}${label.mark === null ? '' : `-${label.mark}`}.svg`;
    const svg = renderThreatModelSvg(buildThreatModel({ sandbox, host: report.host, hostFindings: report.findings }), { id: `tm-${anchor}` });
    files.set(name, `${svg}\n`);
  }
  return files;
}

export function landingHtml(report: Report): string {
  return renderHtml(report, { telemetryPath: '/metrics' });
}

export function sha256(text: string): string {
  return `${createHash('sha256').update(text).digest('hex')}\n`;
}

/** The committed diagram files (to find stale ones). */
export function committedSvgs(): string[] {
  return existsSync(IMAGES_DIR) ? readdirSync(IMAGES_DIR).filter((f) => /^threat-model-.*\.svg$/.test(f)).sort() : [];
}

export function writeSvgs(report: Report): string[] {
  mkdirSync(IMAGES_DIR, { recursive: true });
  const files = renderReadmeSvgs(report);
  for (const stale of committedSvgs().filter((f) => !files.has(f))) rmSync(path.join(IMAGES_DIR, stale));
  for (const [name, svg] of files) writeFileSync(path.join(IMAGES_DIR, name), svg);
  return [...files.keys()].map((name) => path.join(IMAGES_DIR, name));
}

/** Shoots the page from a file (no server needed: the page has no asset to load) and records its hash. */
export async function writePng(report: Report): Promise<string> {
  const { chromium } = await import('playwright-core');
  const html = landingHtml(report);
  const dir = mkdtempSync(path.join(tmpdir(), 'kata-audit-readme-'));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    writeFileSync(path.join(dir, 'index.html'), html);
    const page = await browser.newPage({ viewport: SCREENSHOT, colorScheme: 'light' });
    await page.goto(pathToFileURL(path.join(dir, 'index.html')).href);
    mkdirSync(IMAGES_DIR, { recursive: true });
    await page.screenshot({ path: LANDING_PNG, timeout: 90_000 });
    writeFileSync(LANDING_HASH, sha256(html));
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return LANDING_PNG;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const report = exampleReport();
  for (const file of writeSvgs(report)) console.log(`wrote ${file}`);
  if (existsSync(CHROMIUM)) console.log(`wrote ${await writePng(report)}`);
  else console.log(`${CHROMIUM} not found: ${LANDING_PNG} not rewritten`);
}
