import { readFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { FIXTURE_HOSTS_DIR, fixtureHostNames, REPO_ROOT } from '../helpers/fixture-roots.js';

// docs/metrics.md is the metric reference SREs read: every family the agent exports must be on it.
test('docs/metrics.md lists every kata_audit_ family of the golden expositions', (t) => {
  const doc = readFileSync(path.join(REPO_ROOT, 'docs/metrics.md'), 'utf8');
  const families = new Set<string>();
  for (const name of fixtureHostNames()) {
    const text = readFileSync(path.join(FIXTURE_HOSTS_DIR, name, 'metrics.golden.prom'), 'utf8');
    for (const match of text.matchAll(/^# TYPE (kata_audit_\w+) /gm)) families.add(match[1]!);
  }
  t.true(families.size > 20);
  for (const family of families) t.true(doc.includes(`\`${family}\``), `${family} is missing from docs/metrics.md`);
});
