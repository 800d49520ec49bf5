// The attacks of issue 9 (trust that cannot be forged), reproduced on fixture trees shaped like the live ones:
// each fails on an agent that trusts path strings, first pids or id order.
import { chmodSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import type { FixtureHost, FixtureProcess } from '../../src/fixture-host/description.js';
import type { Report } from '../../src/model/report.js';
import { runScan, ScanState } from '../../src/scan.js';
import { fixtureScanConfig, materialise } from '../helpers/fixture-roots.js';
import { QEMU_EXE, shim } from './fixture-processes.js';

const SID = 'c'.repeat(48) + '0123456789abcdef';
const BUNDLE = `/run/containerd/io.containerd.runtime.v2.task/k8s.io/${SID}`;
const POD_UID = '0f1e2d3c-4b5a-4697-8877-665544332211';

function qemu(pid: number, ppid: number, id: string, extra: Partial<FixtureProcess> = {}): FixtureProcess {
  return {
    pid, ppid, exe: QEMU_EXE,
    argv: [QEMU_EXE, '-name', `sandbox-${id}`, '-machine', 'q35,accel=kvm', '-m', '2048M', '-netdev', 'tap,id=n0,vhost=on,vhostfd=5,fd=6',
      '-device', 'virtio-net-pci,netdev=n0'],
    fds: { '5': '/dev/vhost-net', '6': '/dev/net/tun' },
    ...extra,
  };
}

/** The real sandbox: its bundle holds the pod annotations and shim.pid. */
function realNode(extra: FixtureProcess[] = [], real: Partial<FixtureProcess> = {}): FixtureHost {
  return {
    processes: [shim(3000, SID, real), qemu(3010, 3000, SID), ...extra],
    files: {
      [`root${BUNDLE}/config.json`]: JSON.stringify({ annotations: {
        'io.kubernetes.cri.sandbox-name': 'real-pod', 'io.kubernetes.cri.sandbox-namespace': 'prod', 'io.kubernetes.cri.sandbox-uid': POD_UID } }),
      [`root${BUNDLE}/shim.pid`]: '3000',
    },
  };
}

async function scan(t: Parameters<typeof materialise>[0], host: FixtureHost): Promise<Report> {
  return runScan(fixtureScanConfig(materialise(t, host)));
}

function byClaim(report: Report, id: string) {
  return report.sandboxes.filter((s) => (s.claimedId ?? s.id) === id);
}

test('a shim whose exe path is right but whose executed file is not the host file at that path is a look-alike', async (t) => {
  // As in a user+mount namespace: /opt/kata/bin/containerd-shim-kata-v2 inside it is the attacker's own binary.
  const report = await scan(t, { processes: [shim(4000, SID, { exeFile: '/home/mallory/fake-shim' })] });
  t.is(report.sandboxes.length, 1);
  const forged = report.sandboxes[0]!;
  t.false(forged.trusted);
  t.is(forged.id, `untrusted:${SID}`);
  t.deepEqual(forged.trustReasons, ['exe-mismatch']);
  t.deepEqual(forged.findings.map((f) => [f.rule, f.sandboxId]), [['KATA-TRUST-001', `untrusted:${SID}`]]);
});

test('the real shim binary run by an unprivileged user, or outside its bundle, is not trusted', async (t) => {
  const asUser = await scan(t, { processes: [shim(4000, SID, { uid: 1000, gid: 1000 })] });
  t.deepEqual(asUser.sandboxes.map((s) => [s.id, s.trustReasons]), [[`untrusted:${SID}`, ['shim-not-root']]]);
  const elsewhere = await scan(t, { processes: [shim(4000, SID, { cwd: '/tmp/attack' })] });
  t.deepEqual(elsewhere.sandboxes.map((s) => s.trustReasons), [['no-bundle']]);
  // In a bundle directory, but of another sandbox id.
  const otherBundle = await scan(t, { processes: [shim(4000, SID, { cwd: `/run/containerd/io.containerd.runtime.v2.task/k8s.io/${'d'.repeat(64)}` })] });
  t.deepEqual(otherBundle.sandboxes.map((s) => s.trustReasons), [['no-bundle']]);
});

test('a bundle directory that others can write anchors nothing', async (t) => {
  const roots = materialise(t, realNode());
  t.true((await runScan(fixtureScanConfig(roots))).sandboxes[0]!.trusted);
  chmodSync(path.join(roots.rootfs, BUNDLE), 0o777);
  const report = await runScan(fixtureScanConfig(roots));
  t.deepEqual(report.sandboxes.map((s) => [s.id, s.trustReasons]), [[`untrusted:${SID}`, ['no-bundle']]]);
  t.deepEqual(report.sandboxes[0]!.pod.name, null, 'nor is its config.json read');
});

test('pod identity is read only from the anchored bundle, never from a path a forged shim chose', async (t) => {
  const report = await scan(t, {
    processes: [shim(4000, 'e'.repeat(64), { uid: 1000, cwd: '/home/mallory' })],
    files: { 'root/home/mallory/config.json': JSON.stringify({ annotations: { 'io.kubernetes.cri.sandbox-name': 'spoofed', 'io.kubernetes.cri.sandbox-namespace': 'kube-system' } }) },
  });
  t.deepEqual(report.sandboxes[0]!.pod, { uid: null, name: null, namespace: null });
  const real = await scan(t, realNode());
  t.deepEqual(real.sandboxes[0]!.pod, { uid: POD_UID, name: 'real-pod', namespace: 'prod' });
});

test('a forged shim with a lower pid claiming the real id takes nothing: the real sandbox keeps its VMM and pod', async (t) => {
  const report = await scan(t, realNode([
    shim(100, SID, { uid: 1000, cwd: '/home/mallory' }),
    qemu(110, 100, SID, { uid: 1000, fds: {} }),
  ]));
  const [real, forged] = [report.sandboxes.find((s) => s.trusted)!, report.sandboxes.find((s) => !s.trusted)!];
  t.is(real.id, SID);
  t.deepEqual(real.processes.map((p) => p.pid), [3000, 3010]);
  t.deepEqual(real.pod, { uid: POD_UID, name: 'real-pod', namespace: 'prod' });
  t.is(forged.id, `untrusted:${SID}`);
  // The forged shim's child follows its (untrusted) shim, not the real sandbox.
  t.deepEqual(forged.processes.map((p) => p.pid), [100, 110]);
  t.deepEqual(report.sandboxes.filter((s) => s.id === SID).length, 1);
});

test('two anchored shims for one id: shim.pid decides, the other is KATA-TRUST-003; without shim.pid neither wins', async (t) => {
  const twin = shim(2000, SID, { cwd: BUNDLE });
  const decided = await scan(t, realNode([twin]));
  t.deepEqual(decided.sandboxes.map((s) => [s.id, s.processes[0]!.pid]), [[SID, 3000], [`untrusted:${SID}`, 2000]]);
  t.deepEqual(decided.sandboxes[1]!.findings.map((f) => f.rule), ['KATA-TRUST-003']);
  const host = realNode([twin]);
  delete host.files![`root${BUNDLE}/shim.pid`];
  const undecided = await scan(t, host);
  t.is(undecided.sandboxes.filter((s) => s.trusted).length, 0);
  t.deepEqual(undecided.sandboxes.map((s) => s.id), [`untrusted:${SID}`]);
  t.true(undecided.sandboxes[0]!.findings.some((f) => f.rule === 'KATA-TRUST-003'));
});

test('a VMM outside the shim tree claiming the id neither joins nor replaces the real VMM devices', async (t) => {
  // Root, allowed exe, host pid namespace: everything but ancestry. Its VFIO device must not reach the sandbox.
  const injector = qemu(5000, 1, SID, { fds: { '7': '/dev/vfio/42' }, argv: [QEMU_EXE, '-name', `sandbox-${SID}`, '-device', 'vfio-pci,host=0000:3b:00.0'] });
  const report = await scan(t, realNode([injector]));
  const real = report.sandboxes.find((s) => s.trusted)!;
  t.deepEqual(real.processes.map((p) => p.pid), [3000, 3010]);
  t.deepEqual(real.devices.map((d) => `${d.class}/${d.backend}`).sort(), ['net/vhost-kernel']);
  const claim = byClaim(report, SID).find((s) => !s.trusted)!;
  t.deepEqual(claim.trustReasons, ['duplicate-id']);
  t.deepEqual(claim.findings.map((f) => f.rule), ['KATA-TRUST-003']);
  // Even a daemonized QEMU is refused once the sandbox has its VMM by ancestry.
  const daemonized = await scan(t, realNode([{ ...injector, argv: [...injector.argv, '-daemonize'] }]));
  t.deepEqual(byClaim(daemonized, SID).find((s) => !s.trusted)?.trustReasons, ['duplicate-id']);
});

test('an unreadable exe (no CAP_SYS_PTRACE) is unknown trust with its cause, never a look-alike finding', async (t) => {
  const report = await scan(t, { ...realNode(), processes: [shim(3000, SID, { exe: null }), qemu(3010, 3000, SID)] });
  const sandbox = report.sandboxes[0]!;
  t.is(sandbox.trust, 'unknown');
  t.is(sandbox.id, `unverified:${SID}`);
  t.deepEqual(sandbox.findings, []);
  t.deepEqual(sandbox.processes.map((p) => p.pid), [3000, 3010]);
  t.true(report.errors.some((e) => e.code === 'E_UNVERIFIED' && e.path === '/proc/3000' && /exe link cannot be read/.test(e.message)));
});

test('a trusted process that execs another binary keeping its comm loses its trust at the next scan', async (t) => {
  const roots = materialise(t, realNode());
  const state = new ScanState();
  t.true((await runScan(fixtureScanConfig(roots), state)).sandboxes[0]!.trusted);
  // execve() into /tmp/x/containerd-shim-kata-v2: same pid, start time and comm; a new exe.
  const exe = path.join(roots.procfs, '3000/exe');
  rmSync(exe);
  symlinkSync('/tmp/x/containerd-shim-kata-v2', exe);
  const after = await runScan(fixtureScanConfig(roots), state);
  t.deepEqual(after.sandboxes.map((s) => [s.id, s.trustReasons]), [[`untrusted:${SID}`, ['exe-not-allowed']]]);
  // Replaced by another file at the same path: the link reads the same, the inode does not.
  const again = materialise(t, realNode());
  const state2 = new ScanState();
  t.true((await runScan(fixtureScanConfig(again), state2)).sandboxes[0]!.trusted);
  writeFileSync(path.join(again.procfs, '3000/.exe-file'), '/tmp/other-binary');
  mkdirSync(path.join(again.rootfs, 'tmp'), { recursive: true });
  writeFileSync(path.join(again.rootfs, 'tmp/other-binary'), '');
  t.deepEqual((await runScan(fixtureScanConfig(again), state2)).sandboxes[0]!.trustReasons, ['exe-mismatch']);
});

test('500 forged shims with ids that sort first never push the real sandbox out, and what is omitted is counted', async (t) => {
  const forged: FixtureProcess[] = [];
  for (let i = 0; i < 500; i++) forged.push(shim(10_000 + i, i.toString(16).padStart(64, '0'), { uid: 1000, cwd: '/tmp' }));
  const roots = materialise(t, realNode(forged));
  const report = await runScan(fixtureScanConfig(roots, { maxSandboxes: 1 }));
  t.deepEqual(report.sandboxes.filter((s) => s.trusted).map((s) => s.id), [SID]);
  t.is(report.sandboxes.filter((s) => !s.trusted).length, 16);
  t.is(report.limits.untrustedOmitted, 500 - 16);
  t.is(report.limits.sandboxesOmitted, 0);
});

test('at --max-sandboxes the most exposed trusted sandboxes are kept, not the lowest ids', async (t) => {
  const low = '0'.repeat(64);
  const quiet: FixtureProcess[] = [shim(2000, low), { pid: 2010, ppid: 2000, exe: QEMU_EXE, argv: [QEMU_EXE, '-name', `sandbox-${low}`, '-machine', 'q35,accel=kvm'] }];
  const report = await runScan(fixtureScanConfig(materialise(t, realNode(quiet)), { maxSandboxes: 1 }));
  t.deepEqual(report.sandboxes.map((s) => s.id), [SID], 'the vhost-net sandbox scores higher than the one with no devices');
  t.is(report.limits.sandboxesOmitted, 1);
});

test('without the privilege to read exe links, every real sandbox is listed as unverified, not capped as a look-alike', async (t) => {
  const processes: FixtureProcess[] = [];
  for (let i = 0; i < 40; i++) processes.push(shim(20_000 + i, i.toString(16).padStart(64, 'a'), { exe: null }));
  const report = await scan(t, { processes });
  t.is(report.sandboxes.length, 40);
  t.true(report.sandboxes.every((s) => s.trust === 'unknown' && s.findings.length === 0));
  t.is(report.limits.untrustedOmitted, 0);
});

test('a bundle config.json that does not parse is reported by position and reason, never by its content', async (t) => {
  const host = realNode();
  host.files![`root${BUNDLE}/config.json`] = '{"annotations": root:$y$j9T$secret-hash-bytes}';
  const report = await scan(t, host);
  const error = report.errors.find((e) => e.stage === 'pod' && e.path === `${BUNDLE}/config.json`);
  t.truthy(error);
  t.is(error!.code, 'E_MALFORMED');
  t.false(/root|secret|\$y\$/.test(error!.message), error!.message);
  t.regex(error!.message, /^bundle config\.json does not parse \((invalid JSON|unexpected end of input)/);
});
