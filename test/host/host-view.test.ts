import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { HostView } from '../../src/host/host-view.js';
import { ScanErrorLog } from '../../src/host/scan-error-log.js';

function viewWith(t: ExecutionContext, files: Record<string, string | Buffer>) {
  const dir = mkdtempSync(path.join(tmpdir(), 'kata-audit-view-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, 'proc', rel)), { recursive: true });
    writeFileSync(path.join(dir, 'proc', rel), content);
  }
  return new HostView({ procfs: path.join(dir, 'proc'), sysfs: path.join(dir, 'sys'), rootfs: path.join(dir, 'root') }, new ScanErrorLog());
}

test('reads small, chunk-sized and larger-than-scratch files whole, and each read is independent', (t) => {
  const big = Buffer.alloc(200_000, 'x');
  big.write('end', 199_997);
  const exact = Buffer.alloc(64 * 1024, 'y');
  const view = viewWith(t, { '1/status': 'Name:\tqemu\n', '2/cmdline': big, '3/cmdline': exact });
  t.is(view.readText('proc', '1/status', { stage: 'x' }), 'Name:\tqemu\n');
  const read = view.readBytes('proc', '2/cmdline', { stage: 'x', maxBytes: 1_000_000 })!;
  t.is(read.length, 200_000);
  t.is(read.subarray(-3).toString(), 'end');
  t.deepEqual(view.readBytes('proc', '3/cmdline', { stage: 'x', maxBytes: 1_000_000 }), exact);
  // A returned buffer is a copy: a later read does not change it.
  const first = view.readBytes('proc', '1/status', { stage: 'x' })!;
  view.readText('proc', '3/cmdline', { stage: 'x' });
  t.is(first.toString(), 'Name:\tqemu\n');
  t.deepEqual(view.errors.entries, []);
});

test('a file over the budget is cut at the budget and recorded as E_TOO_LARGE with its host path', (t) => {
  const view = viewWith(t, { '9/cmdline': Buffer.alloc(100_000, 'a'), '8/cmdline': Buffer.alloc(1000, 'b') });
  t.is(view.readBytes('proc', '9/cmdline', { stage: 'process', maxBytes: 70_000 })!.length, 70_000);
  t.is(view.readBytes('proc', '8/cmdline', { stage: 'process', maxBytes: 1000 })!.length, 1000);
  t.deepEqual(view.errors.entries.map((e) => [e.code, e.path]), [['E_TOO_LARGE', '/proc/9/cmdline']]);
});

test('a missing process file is E_VANISHED when the process is gone, E_MISSING when it lives, nothing when optional', (t) => {
  const view = viewWith(t, { '5/stat': '5 (x) S 1' });
  t.is(view.readText('proc', '5/environ', { stage: 'process', processFile: true }), undefined);
  t.is(view.readText('proc', '6/status', { stage: 'process', processFile: true }), undefined);
  t.is(view.readText('proc', '7/status', { stage: 'process', optional: true }), undefined);
  t.deepEqual(view.errors.entries.map((e) => [e.code, e.path]), [['E_MISSING', '/proc/5/environ'], ['E_VANISHED', '/proc/6/status']]);
  t.false(view.errors.entries.some((e) => e.message.includes(tmpdir())), 'messages never show the fixture path');
});
