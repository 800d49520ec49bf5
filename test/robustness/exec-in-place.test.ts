// execve() keeps a process's pid and start time but replaces its argv, exe and comm. The daemon's ScanState
// caches argv and exe per (pid, start time), so a process that execs after it was first seen must not keep
// its old identity. The real case: an older Firecracker jailer (no --daemonize) execs firecracker in place,
// as a child of the shim (kata-on-the-host.md section 4). Scanned once as the jailer and again as
// firecracker, the VMM must be judged as what it is now.
//
// The cache entry remembers the comm it was read under; a changed comm (jailer -> firecracker) is a miss.
import test from 'ava';
import type { FixtureProcess } from '../../src/fixture-host/description.js';
import { runScan, ScanState } from '../../src/scan.js';
import { materialised, scanConfigOf } from './helpers.js';

const SID = 'ab'.repeat(32);
const ID32 = SID.slice(0, 32);
const JAIL = `/run/vc/firecracker/${ID32}/root`;
const INIT: FixtureProcess = { pid: 1, ppid: 0, argv: ['/sbin/init'], exe: '/sbin/init' };
const SHIM: FixtureProcess = {
  pid: 100,
  startTime: 1000,
  argv: ['/opt/kata/bin/containerd-shim-kata-v2', '-namespace', 'k8s.io', '-address', '/run/containerd/containerd.sock', '-publish-binary', '/usr/bin/containerd', '-id', SID],
  comm: 'containerd-shim',
  exe: '/opt/kata/bin/containerd-shim-kata-v2',
};
const JAILER: FixtureProcess = {
  pid: 200, ppid: 100, startTime: 2000, comm: 'jailer', exe: '/opt/kata/bin/jailer',
  argv: ['/opt/kata/bin/jailer', '--id', ID32, '--exec-file', '/opt/kata/bin/firecracker', '--uid', '0', '--gid', '0', '--chroot-base-dir', '/run/vc', '--', '--config-file', '/fcConfig.json'],
};
/** The same pid and start time after execve: what the kernel shows once the jailer became firecracker. */
const FIRECRACKER: FixtureProcess = {
  pid: 200, ppid: 100, startTime: 2000, comm: 'firecracker', exe: `${JAIL}/firecracker`, root: JAIL, seccomp: 2,
  argv: ['/firecracker', '--id', ID32, '--start-time-us', '1', '--start-time-cpu-us', '1', '--parent-cpu-time-us', '1', '--config-file', '/fcConfig.json'],
};

const summary = (report: Awaited<ReturnType<typeof runScan>>) =>
  report.sandboxes.map((s) => ({ id: s.id, vmm: s.vmm, trusted: s.trusted, exes: s.processes.map((p) => p.exe) }));
const EXPECTED = [{ id: SID, vmm: 'firecracker', trusted: true, exes: [SHIM.exe!, FIRECRACKER.exe!] }];

test('a daemon that never saw the jailer reports the Firecracker sandbox as trusted', async (t) => {
  const after = scanConfigOf(materialised(t, { processes: [INIT, SHIM, FIRECRACKER] }));
  t.deepEqual(summary(await runScan(after, new ScanState())), EXPECTED);
});

test('a process that execs in place is judged by its new identity (jailer -> firecracker)', async (t) => {
  const before = scanConfigOf(materialised(t, { processes: [INIT, SHIM, JAILER] }));
  const after = scanConfigOf(materialised(t, { processes: [INIT, SHIM, FIRECRACKER] }));
  // A daemon that scanned while the jailer ran, then again after the exec.
  const state = new ScanState();
  await runScan(before, state);
  t.deepEqual(summary(await runScan(after, state)), EXPECTED, 'the cached jailer identity must not outlive the exec');
});
