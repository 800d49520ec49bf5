// Issue 9 item 15: `--version` runs only for the very file the process executes, never for a file others can
// write, and never with the agent's capabilities.
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { BinaryVersions } from '../../src/inspect/binary-version.js';

const SLEEP = '/usr/bin/sleep';

test('a version is asked only of the file the process really runs, and only when root owns it alone', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kata-audit-version-'));
  chmodSync(dir, 0o755);
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const binary = path.join(dir, 'qemu-system-x86_64');
  copyFileSync(SLEEP, binary);
  chmodSync(binary, 0o755);
  const running = spawn(binary, ['30'], { stdio: 'ignore' });
  t.teardown(() => running.kill('SIGKILL'));
  await new Promise((resolve) => setTimeout(resolve, 200));
  const versions = new BinaryVersions();
  const asRoot = process.getuid?.() === 0;
  if (asRoot) t.regex((await versions.get(binary, running.pid!)) ?? '', /^sleep \(GNU coreutils\)/);
  // The agent's own process runs node, not this file: nothing is executed for it.
  t.is(await versions.get(binary, process.pid), null);
  // A file its group or others may write is never executed.
  chmodSync(binary, 0o775);
  t.is(await new BinaryVersions().get(binary, running.pid!), null);
  if (!asRoot) t.log('not root: the positive case needs a root-owned binary and was not asserted');
});
