#!/usr/bin/env node
// `npm run bench:readme`: copies the target table of the last full benchmark (bench/results/latest.md, which
// `npm run bench` writes) into the README, between the same markers, so the README's numbers are always a
// run's output and never typed by hand. `--check` exits 1 when the README differs from latest.md (for CI).
// Plain JavaScript: it runs without a build.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BEGIN = '<!-- bench:targets -->';
const END = '<!-- /bench:targets -->';

/** The text from BEGIN to END inclusive; exactly one such block, else an error naming the file. */
export function block(text, file) {
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (start < 0 || end < start || text.indexOf(BEGIN, start + 1) >= 0) throw new Error(`${file}: expected one ${BEGIN} ... ${END} block`);
  return { start, end: end + END.length, body: text.slice(start, end + END.length) };
}

export function updateReadme(readme, results) {
  const source = block(results, 'bench/results/latest.md').body;
  const target = block(readme, 'README.md');
  return `${readme.slice(0, target.start)}${source}${readme.slice(target.end)}`;
}

function main() {
  const readmePath = path.join(ROOT, 'README.md');
  const readme = readFileSync(readmePath, 'utf8');
  const updated = updateReadme(readme, readFileSync(path.join(ROOT, 'bench/results/latest.md'), 'utf8'));
  if (process.argv.includes('--check')) {
    if (updated !== readme) {
      process.stderr.write('README.md target table differs from bench/results/latest.md: run npm run bench:readme\n');
      process.exitCode = 1;
    }
    return;
  }
  if (updated !== readme) writeFileSync(readmePath, updated);
  process.stdout.write(updated === readme ? 'README.md already has the table of bench/results/latest.md\n' : 'README.md: target table copied from bench/results/latest.md\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
