// The live suite's last line of defence: a small detached process that reads registrations on stdin:
//   add <pgid> | forget <pgid>   a process group the suite started
//   dir <path>                   the run directory (mounts under it are detached, then it is removed)
//   file <path>                  a file the suite's daemons leave outside it (virtiofsd's pid files)
//   done                         everything was cleaned up by the suite itself
// When stdin closes without "done" (the test process died, was killed, or its worker thread was torn down
// mid-run), it kills every registered process group, by id, with SIGKILL, and removes what was registered.
// The harness stops everything itself on the normal and the failing path; this covers the abrupt one.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';

function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n')
    .map((line) => line.split(' ')[4])
    .filter((point): point is string => point !== undefined && (point === dir || point.startsWith(`${dir}/`)))
    .sort((a, b) => b.length - a.length);
}

function cleanUp(groups: Set<number>, dirs: Set<string>, files: Set<string>): void {
  for (const id of groups) {
    try {
      process.kill(-id, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  // Let the kernel reap them before their mounts and files are touched.
  execFileSync('sleep', ['0.5']);
  for (const dir of dirs) {
    for (const point of mountsUnder(dir)) {
      try {
        execFileSync('umount', ['-l', point], { stdio: 'ignore', timeout: 5000 });
      } catch {
        // Left for the operator.
      }
    }
    rmSync(dir, { recursive: true, force: true, maxRetries: 2 });
  }
  for (const file of files) rmSync(file, { force: true });
}

function main(): void {
  const groups = new Set<number>();
  const dirs = new Set<string>();
  const files = new Set<string>();
  let done = false;
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    const space = line.indexOf(' ');
    const verb = space === -1 ? line.trim() : line.slice(0, space);
    const value = space === -1 ? '' : line.slice(space + 1).trim();
    const id = Number(value);
    if (verb === 'done') done = true;
    else if (verb === 'add' && Number.isSafeInteger(id) && id > 1) groups.add(id);
    else if (verb === 'forget') groups.delete(id);
    // Never "/" or a top-level directory: only the run directory itself, which is at least two levels deep.
    else if (verb === 'dir' && value.startsWith('/') && value.split('/').filter((part) => part !== '').length >= 2) dirs.add(value);
    else if (verb === 'file' && value.startsWith('/')) files.add(value);
  });
  lines.on('close', () => {
    if (!done) cleanUp(groups, dirs, files);
    process.exit(0);
  });
}

if (process.argv[2] === '--run') main();
