// The documented systemd install (docs/deploy.md): `npm pack` from a checkout, then `npm install -g` of the
// tarball. A fresh clone has no dist/, so without a prepack build the tarball held no kata-audit at all. This
// packs a copy of the tracked files (a fresh clone: never the dist/ this test runs from, which a prepack that
// cleans dist/ would delete), installs the tarball into a temporary prefix and runs the installed command.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import { REPO_ROOT } from '../helpers/fixture-roots.js';

const NPM_QUIET = ['--no-audit', '--no-fund', '--loglevel=error'];

/** The tracked files (as they are on disk) in a new directory, with node_modules linked for the build. */
function freshClone(dir: string): string {
  const clone = path.join(dir, 'clone');
  const files = execFileSync('git', ['ls-files', '-z'], { cwd: REPO_ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const file of files) {
    if (!existsSync(path.join(REPO_ROOT, file))) continue; // deleted in the work tree, not yet committed
    mkdirSync(path.dirname(path.join(clone, file)), { recursive: true });
    copyFileSync(path.join(REPO_ROOT, file), path.join(clone, file));
  }
  symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(clone, 'node_modules'));
  return clone;
}

/** Dependencies come from the npm cache `npm ci` filled; when it lacks one, npm may fetch what is missing. */
async function installGlobal(prefix: string, tarball: string) {
  const args = ['install', '--global', '--prefix', prefix, '--omit=dev', tarball, ...NPM_QUIET];
  const offline = await execa('npm', [...args, '--offline'], { reject: false, timeout: 60_000 });
  if (offline.exitCode === 0) return offline;
  return execa('npm', [...args, '--prefer-offline'], { reject: false, timeout: 90_000 });
}

test('npm pack of a fresh clone builds dist/src, and the installed kata-audit runs', async (t) => {
  t.timeout(180_000);
  const dir = mkdtempSync(path.join(tmpdir(), 'kata-audit-pack-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const clone = freshClone(dir);
  t.false(existsSync(path.join(clone, 'dist')), 'a fresh clone has no build');

  const pack = await execa('npm', ['pack', '--pack-destination', dir, ...NPM_QUIET], { cwd: clone, reject: false, timeout: 120_000 });
  t.is(pack.exitCode, 0, pack.stderr);
  const tarballs = readdirSync(dir).filter((name) => name.endsWith('.tgz'));
  t.is(tarballs.length, 1);
  const tarball = path.join(dir, tarballs[0]!);
  const listing = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n');
  t.true(listing.includes('package/dist/src/cli.js'), 'the command is in the package');
  t.false(listing.some((entry) => entry.startsWith('package/dist/test/')), 'tests are not');
  for (const doc of ['LICENSE', 'README.md', 'CHANGELOG.md', 'SECURITY.md']) t.true(listing.includes(`package/${doc}`), `${doc} is in the package`);
  t.false(listing.some((entry) => entry.startsWith('package/scripts/')), 'the build helper is not (the package is built)');

  const prefix = path.join(dir, 'prefix');
  const install = await installGlobal(prefix, tarball);
  t.is(install.exitCode, 0, install.stderr);
  // The systemd unit's ExecStart names <prefix>/lib/node_modules/kata-audit/dist/src/cli.js (prefix /usr).
  t.true(existsSync(path.join(prefix, 'lib/node_modules/kata-audit/dist/src/cli.js')), 'the path ExecStart= runs');
  const bin = path.join(prefix, 'bin', 'kata-audit');
  const { version } = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  const printed = await execa(bin, ['--version'], { reject: false, timeout: 30_000 });
  t.is(printed.exitCode, 0, printed.stderr);
  t.regex(printed.stdout, new RegExp(`^kata-audit ${version.replaceAll('.', '\\.')} `));

  const scan = await execa(bin, ['scan', '--example', '--format', 'json'], { reject: false, timeout: 30_000 });
  t.is(scan.exitCode, 0, scan.stderr);
  const report = JSON.parse(scan.stdout) as { schemaVersion: number; sandboxes: unknown[] };
  t.is(report.schemaVersion, 1);
  t.true(report.sandboxes.length > 0);
});
