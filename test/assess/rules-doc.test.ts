// docs/rules.md is renderRules('markdown'), committed so the docs are readable on GitHub. It is a golden
// file: this test fails when the catalogue changed and the doc did not; `UPDATE_GOLDEN=1` rewrites it.
import { readFile, writeFile } from 'node:fs/promises';
import test from 'ava';
import { renderRules } from '../../src/render/rules-output.js';

// The compiled test runs from dist/test/assess/; the doc lives at the repository root.
const DOC = new URL('../../../docs/rules.md', import.meta.url);

test('docs/rules.md is up to date with the rule catalogue', async (t) => {
  const expected = renderRules('markdown');
  if (process.env['UPDATE_GOLDEN'] === '1') {
    await writeFile(DOC, expected);
    t.pass('docs/rules.md rewritten');
    return;
  }
  const actual = await readFile(DOC, 'utf8').catch(() => '');
  t.is(actual, expected, 'docs/rules.md is stale: run `npm run update-golden` (UPDATE_GOLDEN=1) and review the diff');
});
