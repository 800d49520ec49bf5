import test from 'ava';
import type { FixtureHost, FixtureProcess } from '../../src/fixture-host/description.js';
import { runScan } from '../../src/scan.js';
import { fixtureScanConfig, materialise } from '../helpers/fixture-roots.js';
import { QEMU_EXE, shim } from './fixture-processes.js';

const SID = 'a'.repeat(48) + '0123456789abcdef';
const OTHER = 'b'.repeat(64);
const VFSD_EXE = '/opt/kata/libexec/virtiofsd';

function qemu(pid: number, ppid: number, id: string, extra: Partial<FixtureProcess> = {}): FixtureProcess {
  return {
    pid, ppid, exe: QEMU_EXE,
    argv: [QEMU_EXE, '-name', `sandbox-${id}`, '-machine', 'q35,accel=kvm', '-m', '2048M,slots=10,maxmem=4096M',
      '-device', 'virtio-scsi-pci,id=scsi0', '-smp', '1,cores=1,threads=1,sockets=4,maxcpus=4'],
    ...extra,
  };
}

function vfsd(pid: number, ppid: number, id: string, extra: Partial<FixtureProcess> = {}): FixtureProcess {
  return {
    pid, ppid, exe: VFSD_EXE,
    argv: [VFSD_EXE, '--syslog', '--cache=auto', `--shared-dir=/run/kata-containers/shared/sandboxes/${id}/shared`, '--fd=3'],
    ...extra,
  };
}

async function scan(t: Parameters<typeof materialise>[0], host: FixtureHost) {
  return runScan(fixtureScanConfig(materialise(t, host)));
}

test('a shim with its QEMU child and virtiofsd pair is one trusted sandbox; the sandboxed child in its own pid ns stays trusted', async (t) => {
  const report = await scan(t, {
    processes: [
      shim(100, SID),
      qemu(110, 100, SID),
      vfsd(120, 100, SID, { ns: { mnt: 1, net: 2 }, capEff: '0000000000000000' }),
      vfsd(121, 120, SID, { nspid: [121, 1], ns: { mnt: 3, net: 4, pid: 5 }, seccomp: 2, capEff: '00000000880000db', capBnd: '0000000000000000' }),
    ],
  });
  t.is(report.sandboxes.length, 1);
  const sandbox = report.sandboxes[0]!;
  t.true(sandbox.trusted);
  t.is(sandbox.id, SID);
  t.deepEqual(sandbox.processes.map((p) => [p.pid, p.role]), [[100, 'shim'], [110, 'vmm'], [120, 'virtiofsd'], [121, 'virtiofsd']]);
  t.is(sandbox.virtiofs?.sandbox, 'namespace');
  t.is(sandbox.virtiofs?.seccomp, 'filter');
});

test('a daemonized QEMU (ppid 1) joins its shim by sandbox id and uid', async (t) => {
  const report = await scan(t, { processes: [shim(100, SID), qemu(300, 1, SID, { argv: [...qemu(300, 1, SID).argv, '-daemonize'] })] });
  t.is(report.sandboxes.length, 1);
  t.deepEqual(report.sandboxes[0]!.processes.map((p) => p.role), ['shim', 'vmm']);
});

test('a look-alike claiming a real sandbox id never merges into it', async (t) => {
  const report = await scan(t, {
    processes: [
      shim(100, SID),
      qemu(110, 100, SID),
      qemu(500, 1, SID, { exe: '/home/user/qemu-system-x86_64', uid: 1000 }),
      qemu(501, 1, SID, { uid: 1000 }),
      qemu(502, 1, SID, { nspid: [502, 7] }),
      // A shim without a VMM yet: daemonized claimants are judged on uid and pid namespace.
      shim(200, OTHER),
      qemu(600, 1, OTHER, { uid: 1000, argv: [...qemu(600, 1, OTHER).argv, '-daemonize'] }),
      qemu(601, 1, OTHER, { nspid: [601, 9], argv: [...qemu(601, 1, OTHER).argv, '-daemonize'] }),
    ],
  });
  const trusted = report.sandboxes.filter((s) => s.trusted);
  t.deepEqual(trusted.map((s) => [s.id, s.processes.map((p) => p.pid)]), [[SID, [100, 110]], [OTHER, [200]]]);
  const untrusted = report.sandboxes.filter((s) => !s.trusted);
  // One entry per claimed id, whose id can never equal a trusted one's.
  t.deepEqual(untrusted.map((s) => [s.id, [...s.trustReasons].sort()]), [
    [`untrusted:${SID}`, ['duplicate-id', 'exe-not-allowed']],
    [`untrusted:${OTHER}`, ['foreign-pid-namespace', 'uid-mismatch']],
  ]);
  t.true(untrusted.every((s) => s.findings.some((f) => f.rule.startsWith('KATA-TRUST'))));
});

test('an allowed VMM whose sandbox has no live shim is untrusted with reason no-shim', async (t) => {
  const report = await scan(t, { processes: [qemu(300, 1, OTHER)] });
  t.is(report.sandboxes.length, 1);
  t.false(report.sandboxes[0]!.trusted);
  t.deepEqual(report.sandboxes[0]!.trustReasons, ['no-shim']);
});

test('runc shims, libvirt guests and a fake shim outside the allowed paths are not Kata sandboxes', async (t) => {
  const report = await scan(t, {
    processes: [
      { pid: 200, argv: ['/usr/bin/containerd-shim-runc-v2', '-namespace', 'k8s.io', '-id', OTHER], exe: '/usr/bin/containerd-shim-runc-v2' },
      { pid: 210, argv: ['/usr/bin/qemu-system-x86_64', '-name', 'guest=web01,debug-threads=on'], exe: '/usr/bin/qemu-system-x86_64' },
    ],
  });
  t.is(report.sandboxes.length, 0);
  const fake = await scan(t, { processes: [shim(100, SID, { exe: '/tmp/containerd-shim-kata-v2' })] });
  t.is(fake.sandboxes.length, 1);
  t.false(fake.sandboxes[0]!.trusted);
  t.deepEqual(fake.sandboxes[0]!.trustReasons, ['exe-not-allowed']);
});

test('--trust.exe-paths extends the allowed executables', async (t) => {
  const host = { processes: [shim(100, SID, { exe: '/srv/kata/containerd-shim-kata-v2', argv: ['/srv/kata/containerd-shim-kata-v2', '-id', SID] })] };
  const roots = materialise(t, host);
  t.false((await runScan(fixtureScanConfig(roots))).sandboxes[0]!.trusted);
  t.true((await runScan(fixtureScanConfig(roots, { trustExePaths: ['/srv/kata/*'] }))).sandboxes[0]!.trusted);
});

test('a sandbox id that breaks Kata id rules becomes an E_INVALID_ID error, never a sandbox', async (t) => {
  const report = await scan(t, { processes: [qemu(300, 1, 'x"}\nkata_audit_evil{a="1')] });
  t.is(report.sandboxes.length, 0);
  t.true(report.errors.some((e) => e.code === 'E_INVALID_ID' && e.path === '/proc/300/cmdline'));
});

test('look-alikes are capped: a thousand of them list at most 16 sandboxes and count the rest', async (t) => {
  const processes: FixtureProcess[] = [];
  for (let i = 0; i < 1000; i++) {
    processes.push(qemu(1000 + i, 1, i.toString(16).padStart(64, '0'), { exe: '/tmp/qemu-system-x86_64', uid: 1000 }));
  }
  const report = await scan(t, { processes });
  t.is(report.sandboxes.length, 16);
  t.is(report.limits.untrustedOmitted, 1000 - 16);
  t.true(report.errors.some((e) => e.code === 'E_LIMIT'));
});

test('pod uid comes from a vCPU thread cgroup when the processes sit in the overhead cgroup', async (t) => {
  const uid = '2f3c1a2b-1111-4222-8333-944455556666';
  const report = await scan(t, {
    processes: [
      shim(100, SID, { cgroup: `0::/kata_overhead/${SID}` }),
      qemu(110, 100, SID, {
        cgroup: `0::/kata_overhead/${SID}`,
        threads: [{ tid: 111, comm: 'qemu-system-x86', cgroup: `4:memory:/kubepods/burstable/pod${uid}/kata_${SID}` }],
      }),
    ],
  });
  t.is(report.sandboxes[0]!.pod.uid, uid);
});

test('a missing procfs root is a ScanUnavailableError', async (t) => {
  await t.throwsAsync(runScan(fixtureScanConfig({ procfs: '/nonexistent/proc', sysfs: '/sys', rootfs: '/' })), { code: 'ERR_SCAN_UNAVAILABLE' } as never);
});

test('a zombie VMM is not a sandbox member, and an unreadable exe under a trusted shim is not a look-alike', async (t) => {
  const zombie = await scan(t, { processes: [shim(100, SID), qemu(110, 100, SID, { state: 'Z', exe: null })] });
  t.is(zombie.sandboxes.length, 1);
  t.deepEqual(zombie.sandboxes[0]!.processes.map((p) => p.role), ['shim']);
  const unreadable = await scan(t, { processes: [shim(100, SID), qemu(110, 100, SID, { exe: null }), qemu(300, 1, OTHER, { exe: null })] });
  const trusted = unreadable.sandboxes.find((s) => s.trusted)!;
  t.deepEqual(trusted.processes.map((p) => [p.role, p.exeAllowed]), [['shim', true], ['vmm', false]]);
  // Without a shim ancestor an unverifiable exe cannot be trusted, but it is no evidence either: unverified.
  const unverified = unreadable.sandboxes.find((s) => s.claimedId === OTHER)!;
  t.is(unverified.id, `unverified:${OTHER}`);
  t.is(unverified.trust, 'unknown');
  t.deepEqual(unverified.findings, []);
  t.true(unreadable.errors.some((e) => e.code === 'E_UNVERIFIED' && e.path === '/proc/300'));
});

// Rootless VMM (Go runtime <= 3.0 daemonized QEMU, `rootless = true`): Kata's useradd line and its GECOS quotes.
const PASSWD = [
  'root:x:0:0:root:/root:/bin/bash',
  'alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash',
  'kata-48213:x:1001:1001:"Kata Containers temporary hypervisor user":/home/kata-48213:/usr/sbin/nologin',
  'kata-7305:x:1002:1002:"Kata Containers temporary hypervisor user":/home/kata-7305:/usr/sbin/nologin',
  'kata-999:x:1003:1003:build robot:/home/kata-999:/bin/bash',
  '',
].join('\n');

function rootlessQemu(pid: number, id: string, uid: number, extra: Partial<FixtureProcess> = {}): FixtureProcess {
  const base = qemu(pid, 1, id);
  return {
    ...base, uid, gid: uid,
    argv: [...base.argv, '-qmp', `unix:/run/user/${uid}/run/vc/vm/${id}/qmp.sock,server,nowait`, '-daemonize'],
    ...extra,
  };
}

test('a rootless daemonized QEMU running as Kata\'s throwaway kata-NNNNN user joins its root shim', async (t) => {
  const report = await scan(t, { processes: [shim(100, SID), rootlessQemu(300, SID, 1001)], files: { 'root/etc/passwd': PASSWD } });
  t.deepEqual(report.sandboxes.map((s) => [s.id, s.trust, s.processes.map((p) => [p.pid, p.uid])]), [[SID, 'trusted', [[100, 0], [300, 1001]]]]);
});

test('rootless look-alikes stay untrusted: an ordinary user, a kata-like name without Kata\'s comment, capabilities, another sandbox\'s VMM user, no runtime dir in argv', async (t) => {
  const ids = ['c'.repeat(64), 'd'.repeat(64), 'e'.repeat(64), 'f'.repeat(64), '0'.repeat(64)];
  const report = await scan(t, {
    processes: [
      ...ids.map((id, i) => shim(100 + i, id)),
      shim(110, SID),
      // An unprivileged user runs Kata's own QEMU binary, daemonized, shaped exactly like a rootless VMM.
      rootlessQemu(300, ids[0]!, 1000),
      rootlessQemu(301, ids[1]!, 1003),
      rootlessQemu(302, ids[2]!, 1001, { capEff: '0000000000000400' }),
      // kata-7305 is SID's VMM user; a process of that uid (a guest that escaped into SID's QEMU) claims another id.
      rootlessQemu(303, SID, 1002),
      rootlessQemu(304, ids[3]!, 1002),
      rootlessQemu(305, ids[4]!, 1001, { argv: [...qemu(305, 1, ids[4]!).argv, '-daemonize'] }),
    ],
    files: { 'root/etc/passwd': PASSWD },
  });
  const trusted = report.sandboxes.filter((s) => s.trusted).map((s) => [s.id, s.processes.map((p) => p.pid)]);
  t.deepEqual(trusted, [...ids.map((id, i) => [id, [100 + i]]), [SID, [110, 303]]].sort((a, b) => String(a[0]) < String(b[0]) ? -1 : 1));
  const untrusted = report.sandboxes.filter((s) => !s.trusted);
  t.deepEqual(untrusted.map((s) => [s.claimedId, s.processes.map((p) => p.pid), s.trustReasons]),
    [[ids[0], [300], ['uid-mismatch']], [ids[1], [301], ['uid-mismatch']], [ids[2], [302], ['uid-mismatch']], [ids[3], [304], ['uid-mismatch']], [ids[4], [305], ['uid-mismatch']]]
      .sort((a, b) => String(a[0]) < String(b[0]) ? -1 : 1));
});

test('peer pods: a shim with no local VMM and cloud-api-adaptor\'s pod directory is a remote sandbox; without it, local', async (t) => {
  const report = await scan(t, { processes: [shim(100, SID), shim(200, OTHER)], dirs: [`root/run/peerpod/pods/${SID}`] });
  const byId = new Map(report.sandboxes.map((s) => [s.id, s]));
  t.is(byId.get(SID)?.vmm, 'remote');
  t.is(byId.get(SID)?.placement, 'remote');
  t.deepEqual(byId.get(SID)?.devices, []);
  t.is(byId.get(OTHER)?.vmm, 'qemu');
  t.is(byId.get(OTHER)?.placement, 'local');
});

test('a sandbox with a local VMM is local even when a pod directory of that id exists', async (t) => {
  const report = await scan(t, { processes: [shim(100, SID), qemu(110, 100, SID)], dirs: [`root/run/peerpod/pods/${SID}`] });
  t.is(report.sandboxes[0]?.vmm, 'qemu');
  t.is(report.sandboxes[0]?.placement, 'local');
});

test('OpenVMM and StratoVirt under their shims are recognised by name, not reported as look-alikes', async (t) => {
  const report = await scan(t, {
    processes: [
      shim(100, SID),
      { pid: 110, ppid: 100, exe: '/opt/kata/bin/openvmm', argv: ['/opt/kata/bin/openvmm', '--ttrpc', `/run/kata/${SID}/openvmm.sock`], fds: { '3': '/dev/mshv' } },
      shim(200, OTHER),
      { pid: 210, ppid: 200, exe: '/opt/kata/bin/stratovirt', argv: ['/opt/kata/bin/stratovirt', '-name', `sandbox-${OTHER}`, '-disable-seccomp'], seccomp: 0 },
    ],
  });
  t.deepEqual(report.sandboxes.map((s) => [s.id, s.vmm, s.trust, s.processes.map((p) => p.role)]),
    [[SID, 'openvmm', 'trusted', ['shim', 'vmm']], [OTHER, 'stratovirt', 'trusted', ['shim', 'vmm']]]);
  t.true(report.sandboxes[1]!.findings.some((f) => f.rule === 'KATA-VMM-001'), 'StratoVirt\'s -disable-seccomp is judged like any VMM without seccomp');
});
