// The README's images are what the script renders now from the example node's report: the diagrams byte for
// byte, the screenshot by the hash of the HTML it was shot from (and a real 1400 px PNG). With UPDATE_GOLDEN=1
// they are regenerated instead (the screenshot only where Chromium is at hand).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { UPDATING, assertGolden } from '../helpers/golden.js';
import {
  CHROMIUM, IMAGES_DIR, LANDING_HASH, LANDING_PNG, SCREENSHOT, committedSvgs, exampleReport, landingHtml, renderReadmeSvgs,
  sha256, writePng, writeSvgs,
} from '../helpers/render-readme-images.js';

const report = exampleReport();

test('one committed diagram per sandbox of the example node, none stale', (t) => {
  const expected = renderReadmeSvgs(report);
  t.is(expected.size, report.sandboxes.length);
  if (UPDATING) writeSvgs(report);
  t.deepEqual(committedSvgs(), [...expected.keys()].sort(), 'run: node dist/test/helpers/render-readme-images.js');
  for (const [name, svg] of expected) assertGolden(t, path.join(IMAGES_DIR, name), svg);
  t.true([...expected.keys()].some((name) => name.endsWith('-look-alike.svg')), 'the example look-alike is drawn, marked in its name');
});

test('the landing-page screenshot was shot from the page as it renders now', async (t) => {
  if (UPDATING && existsSync(CHROMIUM)) await writePng(report);
  t.true(existsSync(LANDING_PNG), `${LANDING_PNG} is missing: run node dist/test/helpers/render-readme-images.js`);
  t.is(readFileSync(LANDING_HASH, 'utf8'), sha256(landingHtml(report)), 'the page changed since the screenshot: run node dist/test/helpers/render-readme-images.js');
  const png = readFileSync(LANDING_PNG);
  t.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG');
  // IHDR: width and height, big-endian, at bytes 16..24 (device scale factor 1).
  t.is(png.readUInt32BE(16), SCREENSHOT.width);
  t.is(png.readUInt32BE(20), SCREENSHOT.height);
});
