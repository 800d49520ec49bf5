import { DEFAULT_BUNDLE_DIRS } from '../../src/discover/bundle-dirs.js';
import test from 'ava';
import { runScan } from '../../src/scan.js';

// This machine has no Kata: the scan of its real /proc, /sys and / must find no sandbox and still report
// the host. PID 1's namespaces are unreadable here (EACCES even as root), which must be an error entry.
test('a scan of this machine finds zero sandboxes and reports the host facts', async (t) => {
  const report = await runScan({ roots: { procfs: '/proc', sysfs: '/sys', rootfs: '/' }, referencePid: process.pid, trustExePaths: [], bundleDirs: [...DEFAULT_BUNDLE_DIRS], maxSandboxes: 500, fixtureRoots: false });
  t.is(report.sandboxes.length, 0);
  t.true(report.scan.processesSeen > 5);
  t.truthy(report.node.kernelRelease);
  t.truthy(report.node.hostname);
  t.is(report.host.kernelModules.length, 13);
  t.true(report.host.cpuVulnerabilities.length > 0);
  t.true(report.collectors.every((c) => c.success), JSON.stringify(report.collectors));
  t.deepEqual(Object.keys(report.host.referenceNamespaces).sort(), ['cgroup', 'ipc', 'mnt', 'net', 'pid', 'user', 'uts']);
});

test('an unreadable reference process makes namespaces unknown with an error entry, never a crash', async (t) => {
  const report = await runScan({ roots: { procfs: '/proc', sysfs: '/sys', rootfs: '/' }, referencePid: 999_999_999, trustExePaths: [], bundleDirs: [...DEFAULT_BUNDLE_DIRS], maxSandboxes: 500, fixtureRoots: false });
  t.true(report.errors.some((e) => e.stage === 'reference'));
  t.true(Object.values(report.host.referenceNamespaces).every((id) => id === null));
});
