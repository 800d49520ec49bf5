// --output.textfile: what node_exporter's textfile collector reads is always a whole file, readable by
// another user, without timestamps, and no temporary file is left where its *.prom glob could see it.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { renderExposition } from '../../src/export/metrics.js';
import { writeTextfileAtomic } from '../../src/export/textfile.js';
import { BUILD_INFO, sampleReport } from './sample-report.js';

function tempDir(t: import('ava').ExecutionContext): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'kata-audit-textfile-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('writes the exposition, mode 0644, nothing else left in the directory', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'kata.prom');
  const text = await renderExposition(sampleReport(), { perSandbox: true, buildInfo: BUILD_INFO });
  // (ava runs tests in worker threads, where umask cannot be changed; the writer chmods explicitly anyway.)
  await writeTextfileAtomic(file, text);
  t.is(readFileSync(file, 'utf8'), text);
  t.is(statSync(file).mode & 0o777, 0o644);
  t.deepEqual(readdirSync(dir), ['kata.prom']);
});

test('no sample carries a timestamp (the textfile collector rejects those)', async (t) => {
  const text = await renderExposition(sampleReport(), { perSandbox: true, buildInfo: BUILD_INFO });
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    // name{labels} value: after the closing brace (or the name) exactly one token.
    const tail = line.includes('}') ? line.slice(line.lastIndexOf('}') + 1) : line.slice(line.indexOf(' '));
    t.is(tail.trim().split(' ').length, 1, line);
  }
});

test('a concurrent reader only ever sees a complete file', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'kata.prom');
  const versions = Array.from({ length: 30 }, (_, i) => `# version ${i}\n${'x'.repeat(200_000)}\n# end ${i}\n`);
  await writeTextfileAtomic(file, versions[0]!);
  let stop = false;
  let reads = 0;
  const reader = (async () => {
    while (!stop) {
      const content = readFileSync(file, 'utf8');
      const version = /^# version (\d+)/.exec(content)?.[1];
      t.true(version !== undefined && content === versions[Number(version)], 'a whole version');
      reads++;
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();
  for (const version of versions) await writeTextfileAtomic(file, version);
  stop = true;
  await reader;
  t.true(reads > 0);
  t.deepEqual(readdirSync(dir), ['kata.prom']);
});

test('a failed write leaves the old file and no temporary file', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'kata.prom');
  await writeTextfileAtomic(file, 'old\n');
  await t.throwsAsync(writeTextfileAtomic(path.join(dir, 'missing-dir', 'kata.prom'), 'new\n'));
  // Renaming onto a directory fails after the temp file was written: it must be cleaned up.
  const blocked = path.join(dir, 'blocked.prom');
  await import('node:fs/promises').then((fs) => fs.mkdir(path.join(blocked, 'child'), { recursive: true }));
  await t.throwsAsync(writeTextfileAtomic(blocked, 'new\n'));
  t.is(readFileSync(file, 'utf8'), 'old\n');
  t.deepEqual(readdirSync(dir).sort(), ['blocked.prom', 'kata.prom']);
});
