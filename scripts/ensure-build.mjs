#!/usr/bin/env node
// `npm start`, `npm run demo` and `npm run scan` build through this, not through `npm run build`: that one
// starts with `rm -rf dist`, so a `npm run scan` deleted the dist/ of a running demo. This compiles only when
// a compiler input is newer than the last build, never deletes anything, and sends the compiler's output to
// stderr so that `npm run -s scan -- --format json | jq` gets nothing but the report on stdout.
// Plain JavaScript on purpose: it must run before anything is compiled.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const STAMP = 'dist/.build-stamp';
/**
 * What the commands run (dist/src) is compiled from, and the two files that change how. test/ and bench/ are
 * compiled too but left out: tests write under test/ (goldens), and `npm start` does not run them.
 */
export const INPUTS = ['src', 'tsconfig.json', 'package.json'];

/**
 * The newest modification time (ms) among the inputs under `root`. Directories count too: deleting or renaming a
 * source changes its directory's mtime, so a removed file also makes the build stale.
 */
export function newestInputMs(root) {
  let newest = 0;
  const visit = (file) => {
    let stat;
    try {
      stat = statSync(file);
    } catch {
      return; // an input that does not exist (bench/ in a trimmed checkout) cannot be newer
    }
    newest = Math.max(newest, stat.mtimeMs);
    if (!stat.isDirectory()) return;
    for (const entry of readdirSync(file)) {
      if (entry !== 'node_modules') visit(path.join(file, entry));
    }
  };
  for (const input of INPUTS) visit(path.join(root, input));
  return newest;
}

/** Whether `root` needs a compile: no command yet, no stamp, or an input newer than the stamp. */
export function isStale(root) {
  const stamp = path.join(root, STAMP);
  if (!existsSync(path.join(root, 'dist/src/cli.js')) || !existsSync(stamp)) return true;
  return newestInputMs(root) > statSync(stamp).mtimeMs;
}

/** Compiles when stale; returns the compiler's exit status (0 when nothing had to be done). */
export function ensureBuild(root) {
  if (!isStale(root)) return 0;
  // The stamp gets the time the compile started: a file saved during the compile makes the next run build again.
  const started = new Date();
  const tsc = createRequire(path.join(root, 'package.json')).resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json', '--incremental'], { cwd: root, stdio: ['ignore', 2, 2] });
  if (result.status !== 0) return result.status ?? 1;
  mkdirSync(path.join(root, 'dist'), { recursive: true });
  writeFileSync(path.join(root, STAMP), '');
  utimesSync(path.join(root, STAMP), started, started);
  return 0;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = ensureBuild(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'));
}
