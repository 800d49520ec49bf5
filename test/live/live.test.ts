// Live end-to-end (issue 5): real QEMU, the real C virtiofsd, a real containerd/runc container, the agent on
// the live /proc, and a real Prometheus with the project's alert rules. One environment for the whole file,
// started once; the tests run in order because each observes a moment of the same sandboxes' lives:
//
//   ns       virtiofsd -o sandbox=namespace; QEMU started by the second test (so it is seen "pending" first)
//   chroot   virtiofsd -o sandbox=chroot, QEMU without -sandbox
//   seccomp  virtiofsd -o sandbox=namespace, QEMU with -sandbox on,...; killed by the last sandbox test
//
// What the agent says is held against what /proc says at the same moment (test/live/proc.ts), never against
// constants copied from the agent.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import type { Report, Sandbox, SandboxProcess } from '../../src/model/report.js';
import { writeAlertsWithShortFor } from '../helpers/rules-with-short-for.js';
import { LiveEnvironment, virtiofsdPidFile, waitFor, type LiveSandbox, type Sample } from './harness.js';
import { cmdlineOf, isAlive, namespacesOf, sharedNamespaces, statOf, truthOf } from './proc.js';

let env: LiveEnvironment | undefined;
let ns: LiveSandbox;
let chroot: LiveSandbox;
let seccomp: LiveSandbox;
/** The agent's --policy.file: empty at start; the policy test edits it while the agent runs. */
let policyFile: string;
const EMPTY_POLICY = 'acknowledgements: []\n';
const suiteStarted = Date.now();

test.before(async () => {
  env = LiveEnvironment.create();
  const live = env;
  ns = live.addSandbox({ name: 'ns', virtiofsd: 'namespace', qemuSeccomp: false });
  chroot = live.addSandbox({ name: 'chroot', virtiofsd: 'chroot', qemuSeccomp: false });
  seccomp = live.addSandbox({ name: 'seccomp', virtiofsd: 'namespace', qemuSeccomp: true });
  const sandboxes = async (): Promise<void> => {
    await Promise.all(live.sandboxes.map(async (s) => {
      await s.startShim();
      await s.startVirtiofsd();
    }));
    // ns keeps waiting for its VMM; the other two get theirs now.
    await Promise.all([chroot.startQemu(), seccomp.startQemu()]);
  };
  policyFile = path.join(live.dir, 'policy.yaml');
  writeFileSync(policyFile, EMPTY_POLICY);
  await Promise.all([live.startAgent([`--policy.file=${policyFile}`]), live.containerd.start(), live.accel(), sandboxes()]);
});

test.after.always(async () => {
  await env?.stop();
});

function live(): LiveEnvironment {
  if (!env) throw new Error('the live environment did not start');
  return env;
}

function sandboxOf(report: Report, sandbox: LiveSandbox): Sandbox | undefined {
  return report.sandboxes.find((s) => s.id === sandbox.id);
}

function mustFind(t: ExecutionContext, report: Report, sandbox: LiveSandbox): Sandbox {
  const found = sandboxOf(report, sandbox);
  if (!found) {
    t.fail(`sandbox ${sandbox.spec.name} (${sandbox.id}) is not in the report; it lists ${JSON.stringify(report.sandboxes.map((s) => ({ id: s.id, trusted: s.trusted, trustReasons: s.trustReasons, pids: s.processes.map((p) => `${p.role}:${p.pid}`) })))}; errors: ${JSON.stringify(report.errors.slice(0, 10))}`);
    throw new Error('sandbox missing');
  }
  return found;
}

/** Capabilities as a number, whatever hex spelling the report uses. */
function capsOf(value: string | null): bigint | null {
  if (value === null) return null;
  return BigInt(`0x${value.replace(/^0x/i, '')}`);
}

/** Every field of the report's process that /proc can confirm, compared with /proc read right now. */
function assertMatchesProc(t: ExecutionContext, reported: SandboxProcess, what: string, options: { threads?: boolean } = {}): void {
  const truth = truthOf(reported.pid);
  if (!truth) {
    t.fail(`${what}: pid ${reported.pid} is in the report but not in /proc`);
    return;
  }
  const label = `${what} (pid ${reported.pid})`;
  t.is(reported.ppid, truth.ppid, `${label}: ppid`);
  t.is(reported.comm, truth.comm, `${label}: comm`);
  t.is(reported.exe, truth.exe, `${label}: exe`);
  t.is(reported.seccomp, truth.seccomp, `${label}: seccomp of the thread-group leader`);
  t.is(reported.noNewPrivs, truth.noNewPrivs, `${label}: NoNewPrivs`);
  t.is(capsOf(reported.capEffective), truth.capEffective, `${label}: CapEff`);
  t.deepEqual(reported.nspid, truth.nspid, `${label}: NSpid`);
  t.true(reported.namespacesKnown, `${label}: namespaces should be known (reference pid ${process.pid} is readable)`);
  t.deepEqual([...reported.sharedNamespaces].sort(), sharedNamespaces(reported.pid, process.pid).sort(), `${label}: namespaces shared with the host reference process`);
  if (options.threads !== false) {
    t.is(reported.threads, truth.threads, `${label}: threads`);
    t.is(reported.threadsWithoutSeccomp, truth.threadsWithoutSeccomp, `${label}: threads whose /proc/<pid>/task/<tid>/status says Seccomp: 0`);
  }
}

function rulesOf(sandbox: Sandbox): string[] {
  return sandbox.findings.map((f) => f.rule).sort();
}

function seriesFor(samples: Sample[], sandboxId: string): Sample[] {
  return samples.filter((s) => s.labels.sandbox_id === sandboxId);
}

test.serial('before QEMU connects, the namespace-mode virtiofsd is reported pending', async (t) => {
  const e = live();
  const accel = await e.accel();
  t.log(`QEMU runs with accel=${accel.accel}${accel.cpu ? ` -cpu ${accel.cpu}` : ''}; run directory ${e.dir}`);
  t.truthy(ns.virtiofsd && isAlive(ns.virtiofsd), 'the ns virtiofsd runs');
  t.is(ns.qemu, null, 'no QEMU was started for ns yet');
  const since = Date.now();
  const report = await e.reportAfter(since);
  // /proc at the same moment: one virtiofsd process, not yet forked into its sandbox.
  t.deepEqual(ns.virtiofsdPids(), [ns.virtiofsd!.pid], 'virtiofsd has not forked: /proc shows one process');
  t.is(report.host.referencePid, process.pid, 'the reference process is this test process');
  t.deepEqual(report.host.referenceNamespaces, Object.fromEntries(Object.entries(namespacesOf(process.pid)).map(([k, v]) => [k, /\[(\d+)\]/.exec(v)?.[1] ?? v])),
    'the reference namespaces are readable and are this process\'s');
  const sandbox = mustFind(t, report, ns);
  t.true(sandbox.trusted, `trusted (reasons: ${sandbox.trustReasons.join(', ')})`);
  t.is(sandbox.virtiofs?.sandbox, 'pending');
  t.is(sandbox.virtiofs?.declaredSandbox, 'namespace');
  const daemons = sandbox.processes.filter((p) => p.role === 'virtiofsd');
  t.deepEqual(daemons.map((p) => p.pid), [ns.virtiofsd!.pid], 'the one virtiofsd process');
  for (const p of daemons) assertMatchesProc(t, p, 'pending virtiofsd');
  // A pending daemon is not judged as unsandboxed: it gets the "not verified yet" finding only.
  t.true(rulesOf(sandbox).includes('KATA-VFS-004'), `findings: ${rulesOf(sandbox).join(', ')}`);
  t.false(rulesOf(sandbox).includes('KATA-VFS-001'), 'no unsandboxed finding while pending');
  t.false(rulesOf(sandbox).includes('KATA-VFS-002'), 'no missing-seccomp finding while pending');
});

test.serial('after QEMU connects: namespace mode, the waiting parent and the sandboxed child, as /proc shows them', async (t) => {
  const e = live();
  await ns.startQemu();
  const since = Date.now();
  const report = await e.reportAfter(since);
  const pids = ns.virtiofsdPids();
  t.is(pids.length, 2, `/proc shows the daemon and its sandboxed child: ${pids.join(', ')}`);
  const [parentPid, childPid] = pids;
  const sandbox = mustFind(t, report, ns);
  t.is(sandbox.virtiofs?.sandbox, 'namespace');
  t.is(sandbox.virtiofs?.seccomp, 'filter', 'virtiofs seccomp is the worker child\'s');
  t.is(sandbox.virtiofs?.cache, 'auto');
  t.is(sandbox.virtiofs?.sharedDir, ns.sharedDir);
  t.is(sandbox.virtiofs?.implementation, 'c');
  const daemons = sandbox.processes.filter((p) => p.role === 'virtiofsd').sort((a, b) => a.pid - b.pid);
  // Compared as sets: pids wrap, so the sandboxed child may have a lower pid than its parent.
  t.deepEqual(daemons.map((p) => p.pid), [parentPid!, childPid!].sort((a, b) => a - b), 'both virtiofsd processes are listed');
  const parent = daemons.find((p) => p.pid === parentPid);
  const child = daemons.find((p) => p.pid === childPid);
  if (!parent || !child) return;
  // The waiting parent: no capabilities, its own mnt and net namespaces, the host's pid namespace.
  t.is(capsOf(parent.capEffective), 0n, 'the waiting parent has no effective capabilities');
  t.is(parent.nspid.length, 1);
  t.false(parent.sharedNamespaces.includes('mnt'), 'the parent unshared its mount namespace');
  t.false(parent.sharedNamespaces.includes('net'), 'the parent unshared its network namespace');
  // The sandboxed child: seccomp filter, PID 1 of its own pid namespace, own mnt and net.
  t.is(child.seccomp, 'filter');
  t.is(child.ppid, parentPid!);
  t.deepEqual(child.nspid, [childPid!, 1]);
  for (const kind of ['pid', 'mnt', 'net'] as const) t.false(child.sharedNamespaces.includes(kind), `the child's ${kind} namespace is its own`);
  t.true(child.noNewPrivs === true, 'NoNewPrivs: 1');
  assertMatchesProc(t, parent, 'virtiofsd waiting parent');
  assertMatchesProc(t, child, 'virtiofsd sandboxed child');
  const childTruth = truthOf(childPid!);
  t.log(`virtiofsd child threads without seccomp, as /proc shows them: ${childTruth?.threadsWithoutSeccomp} of ${childTruth?.threads}; reported ${child.threadsWithoutSeccomp} of ${child.threads}`);
  // Seccomp is per thread: a filtered leader with unfiltered threads is the threads-without-seccomp finding.
  const vmm003 = sandbox.findings.find((f) => f.rule === 'KATA-VMM-003');
  if ((childTruth?.threadsWithoutSeccomp ?? 0) > 0) {
    t.truthy(vmm003, `the child has ${childTruth?.threadsWithoutSeccomp} unfiltered thread(s): KATA-VMM-003 expected; findings: ${rulesOf(sandbox).join(', ')}`);
    t.true((vmm003?.evidence ?? '').includes(String(childPid)), `the evidence names the child pid ${childPid}: ${vmm003?.evidence}`);
  } else {
    t.true(vmm003 === undefined || !vmm003.evidence.includes(`virtiofsd pid ${childPid}`), 'no thread finding for a child whose threads are all filtered');
  }
  t.false(rulesOf(sandbox).includes('KATA-VFS-001'), `namespace mode is not "unsandboxed": ${rulesOf(sandbox).join(', ')}`);
  t.false(rulesOf(sandbox).includes('KATA-VFS-004'), 'no longer pending');
  t.false(rulesOf(sandbox).includes('KATA-VFS-002'), 'the worker has its seccomp filter');
});

test.serial('the chroot-mode sandbox is reported chroot, with the unsandboxed-virtiofsd finding', async (t) => {
  const e = live();
  const report = await e.reportAfter(Date.now());
  const sandbox = mustFind(t, report, chroot);
  const pids = chroot.virtiofsdPids();
  t.is(pids.length, 1, 'chroot mode does not fork');
  t.is(truthOf(pids[0]!)?.root, chroot.sharedDir, '/proc/<pid>/root is the shared directory');
  t.is(sandbox.virtiofs?.sandbox, 'chroot');
  t.is(sandbox.virtiofs?.declaredSandbox, 'chroot');
  const daemons = sandbox.processes.filter((p) => p.role === 'virtiofsd');
  t.deepEqual(daemons.map((p) => p.pid), pids);
  for (const p of daemons) assertMatchesProc(t, p, 'chroot virtiofsd');
  const vfs001 = sandbox.findings.find((f) => f.rule === 'KATA-VFS-001');
  t.truthy(vfs001, `KATA-VFS-001 for the chroot daemon; findings: ${rulesOf(sandbox).join(', ')}`);
  t.regex(vfs001?.evidence ?? '', /chroot/, 'the evidence names the observed mode');
  t.is(vfs001?.sandboxId, chroot.id);
});

test.serial('devices of the VMM: fs is vhost-user, scsi and rng are in the VMM; cpu and memory hotplug are enabled', async (t) => {
  const report = await live().reportAfter(Date.now());
  for (const s of [ns, chroot, seccomp]) {
    const sandbox = mustFind(t, report, s);
    const has = (cls: string, backend: string): boolean => sandbox.devices.some((d) => d.class === cls && d.backend === backend);
    const shown = JSON.stringify(sandbox.devices.map((d) => `${d.class}/${d.backend}/${d.id ?? '-'}/${d.source}`));
    t.is(sandbox.vmm, 'qemu', `${s.spec.name}: vmm`);
    t.true(has('fs', 'vhost-user'), `${s.spec.name}: fs vhost-user in ${shown}`);
    t.true(has('scsi', 'vmm'), `${s.spec.name}: scsi in the VMM in ${shown}`);
    t.true(has('rng', 'vmm'), `${s.spec.name}: rng in the VMM in ${shown}`);
    t.false(sandbox.devices.some((d) => d.backend === 'vhost-kernel'), `${s.spec.name}: nothing runs on in-kernel vhost here: ${shown}`);
    t.true(sandbox.hotplug.cpu, `${s.spec.name}: cpu hotplug (-smp 1,...,maxcpus>1)`);
    t.true(sandbox.hotplug.memory, `${s.spec.name}: memory hotplug (-m ...,slots=10,maxmem=1G)`);
    t.deepEqual(sandbox.pod, { uid: s.pod.uid, name: s.pod.name, namespace: s.pod.namespace }, `${s.spec.name}: pod identity from the bundle's config.json`);
    t.is(sandbox.runtime, 'go', `${s.spec.name}: the Go shim's argv order`);
  }
});

test.serial('QEMU seccomp: disabled without -sandbox, filter with it; every process agrees with /proc', async (t) => {
  const report = await live().reportAfter(Date.now());
  for (const s of [ns, chroot, seccomp]) {
    const sandbox = mustFind(t, report, s);
    const vmms = sandbox.processes.filter((p) => p.role === 'vmm');
    t.deepEqual(vmms.map((p) => p.pid), [s.qemu!.pid], `${s.spec.name}: the QEMU process`);
    const vmm = vmms[0];
    if (!vmm) continue;
    const qemuArgv = cmdlineOf(vmm.pid) ?? [];
    t.is(qemuArgv.includes('-sandbox'), s.spec.qemuSeccomp, `${s.spec.name}: -sandbox in argv`);
    if (s.spec.qemuSeccomp) {
      t.is(vmm.seccomp, 'filter', `${s.spec.name}: QEMU with -sandbox`);
      t.is(vmm.threadsWithoutSeccomp, 0, `${s.spec.name}: QEMU installs its filter on every thread (TSYNC)`);
      t.false(rulesOf(sandbox).includes('KATA-VMM-001'), `${s.spec.name}: ${rulesOf(sandbox).join(', ')}`);
    } else {
      t.is(vmm.seccomp, 'disabled', `${s.spec.name}: QEMU without -sandbox`);
      t.true(rulesOf(sandbox).includes('KATA-VMM-001'), `${s.spec.name}: the VMM-without-seccomp finding; has ${rulesOf(sandbox).join(', ')}`);
    }
    const shim = sandbox.processes.find((p) => p.role === 'shim');
    t.is(shim?.pid, s.shim!.pid, `${s.spec.name}: the shim stand-in`);
    t.is(shim?.exe, s.env.shimPath);
    t.true(shim?.exeAllowed === true);
    for (const p of sandbox.processes) {
      // The shim stand-in is node: its thread count moves with libuv's pool; the rest is compared.
      assertMatchesProc(t, p, `${s.spec.name} ${p.role}`, { threads: p.role !== 'shim' });
    }
    t.deepEqual(
      sandbox.processes.map((p) => p.pid).sort((a, b) => a - b),
      s.livePids().sort((a, b) => a - b),
      `${s.spec.name}: the report lists exactly the shim, QEMU and virtiofsd processes /proc shows`,
    );
    const ours = new Set(s.livePids().map((pid) => `/proc/${pid}/`));
    t.deepEqual(report.errors.filter((e) => [...ours].some((prefix) => `${e.path ?? ''}/`.startsWith(prefix))), [], `${s.spec.name}: no scan error about its processes`);
  }
});

test.serial('the containerd/runc container next to them is not a sandbox', async (t) => {
  const e = live();
  const container = e.containerd.container;
  t.truthy(container, 'the runc container runs');
  if (!container) return;
  t.true(isAlive(container.shim) && isAlive(container.init), 'its shim and init are alive');
  t.is(statOf(container.shim.pid)?.comm, 'containerd-shim', 'the runc shim has the comm every containerd shim has');
  t.regex(cmdlineOf(container.shim.pid)?.[0] ?? '', /containerd-shim-runc-v2$/);
  const report = await e.reportAfter(Date.now());
  const pids = new Set(report.sandboxes.flatMap((s) => s.processes.map((p) => p.pid)));
  t.false(pids.has(container.shim.pid), 'containerd-shim-runc-v2 is in no sandbox');
  t.false(pids.has(container.init.pid), 'the container init is in no sandbox');
  t.false(report.sandboxes.some((s) => s.id === container.id), 'no sandbox claims the container id');
  // Our own sandboxes' processes are each listed once, in their trusted sandbox, and never as a look-alike.
  for (const s of [ns, chroot, seccomp]) {
    for (const pid of s.livePids()) {
      const holders = report.sandboxes.filter((x) => x.processes.some((p) => p.pid === pid));
      t.deepEqual(holders.map((x) => `${x.id.slice(0, 8)}:${x.trusted}`), [`${s.id.slice(0, 8)}:true`], `${s.spec.name} pid ${pid} (${statOf(pid)?.comm})`);
    }
  }
  const metrics = await e.metrics();
  t.deepEqual(seriesFor(metrics, container.id), [], 'no series for the container');
});

test.serial('metrics agree with the report', async (t) => {
  const e = live();
  const report = await e.reportAfter(Date.now());
  const metrics = await e.metricsAfter(Date.parse(report.generatedAt) - report.scan.durationSeconds * 1000 - 1);
  for (const s of [ns, chroot, seccomp]) {
    const sandbox = mustFind(t, report, s);
    const info = metrics.filter((m) => m.name === 'kata_audit_sandbox_info' && m.labels.sandbox_id === s.id);
    t.is(info.length, 1, `${s.spec.name}: one kata_audit_sandbox_info`);
    t.like(info[0]?.labels ?? {}, { trusted: 'true', vmm: 'qemu', pod_name: s.pod.name, pod_namespace: s.pod.namespace, pod_uid: s.pod.uid });
    const vfs = metrics.filter((m) => m.name === 'kata_audit_virtiofs_info' && m.labels.sandbox_id === s.id);
    t.deepEqual(vfs.map((m) => m.labels.sandbox), [sandbox.virtiofs?.sandbox], `${s.spec.name}: kata_audit_virtiofs_info`);
    t.deepEqual(vfs.map((m) => m.labels.seccomp), [sandbox.virtiofs?.seccomp]);
    const devices: Record<string, number> = {};
    for (const d of sandbox.devices) devices[`${d.class}/${d.backend}`] = (devices[`${d.class}/${d.backend}`] ?? 0) + 1;
    t.deepEqual(Object.fromEntries(metrics.filter((m) => m.name === 'kata_audit_sandbox_devices' && m.labels.sandbox_id === s.id)
      .map((m) => [`${m.labels.class}/${m.labels.backend}`, m.value])), devices, `${s.spec.name}: kata_audit_sandbox_devices`);
    t.deepEqual(Object.fromEntries(metrics.filter((m) => m.name === 'kata_audit_sandbox_hotplug_enabled' && m.labels.sandbox_id === s.id)
      .map((m) => [m.labels.resource, m.value === 1])), { ...sandbox.hotplug }, `${s.spec.name}: kata_audit_sandbox_hotplug_enabled`);
    const findings = metrics.filter((m) => m.name === 'kata_audit_finding' && m.labels.sandbox_id === s.id).map((m) => m.labels.rule).sort();
    t.deepEqual(findings, [...new Set(rulesOf(sandbox))], `${s.spec.name}: kata_audit_finding`);
  }
  const virtiofsModes = Object.fromEntries([ns, chroot, seccomp].map((s) => [s.spec.name,
    metrics.find((m) => m.name === 'kata_audit_virtiofs_info' && m.labels.sandbox_id === s.id)?.labels.sandbox]));
  t.deepEqual(virtiofsModes, { ns: 'namespace', chroot: 'chroot', seccomp: 'namespace' });
});

test.serial('a real Prometheus with the project\'s alert rules fires the virtiofsd alert for chroot, not for namespace', async (t) => {
  const e = live();
  const rules = writeAlertsWithShortFor('1s', `${e.dir}/alerts.yaml`);
  const prometheus = await e.startPrometheus(rules);
  const isVirtiofsdAlert = (labels: Record<string, string>): boolean =>
    /virtiofs/i.test(labels.alertname ?? '') || (labels.rule ?? '').startsWith('KATA-VFS-');
  await waitFor('Prometheus to scrape the agent', 30_000, async () => {
    const up = await prometheus.query('up{job="kata-audit"} == 1');
    return up.length === 1 ? true : undefined;
  }, 250);
  // Rules are evaluated every second with `for: 1s`: a firing alert shows within a few evaluations.
  let alerts: Array<{ metric: Record<string, string> }> = [];
  try {
    await waitFor('a firing virtiofsd alert for the chroot sandbox', 20_000, async () => {
      alerts = await prometheus.query('ALERTS');
      return alerts.some((a) => a.metric.alertstate === 'firing' && a.metric.sandbox_id === chroot.id && isVirtiofsdAlert(a.metric)) ? true : undefined;
    }, 500);
  } catch {
    // Asserted below, with what Prometheus had.
  }
  const seen = (await prometheus.query('kata_audit_virtiofs_info')).map((r) => `${r.metric.sandbox_id?.slice(0, 8)}:${r.metric.sandbox}`);
  const summary = JSON.stringify(alerts.map((a) => `${a.metric.alertname}/${a.metric.alertstate}/${a.metric.rule ?? ''}/${a.metric.sandbox_id?.slice(0, 8) ?? ''}`));
  t.true(seen.includes(`${chroot.id.slice(0, 8)}:chroot`), `Prometheus has kata_audit_virtiofs_info for the chroot sandbox: ${JSON.stringify(seen)}`);
  t.true(
    alerts.some((a) => a.metric.alertstate === 'firing' && a.metric.sandbox_id === chroot.id && isVirtiofsdAlert(a.metric)),
    `a virtiofsd alert fires for the chroot-mode sandbox ${chroot.id.slice(0, 8)}; ALERTS: ${summary}`,
  );
  const fired = alerts.find((a) => a.metric.alertstate === 'firing' && a.metric.sandbox_id === chroot.id && isVirtiofsdAlert(a.metric));
  if (fired) t.like(fired.metric, { pod_name: chroot.pod.name, pod_namespace: chroot.pod.namespace }, 'the alert names the pod (joined from kata_audit_sandbox_info)');
  const forNamespace = alerts.filter((a) => a.metric.sandbox_id === ns.id && isVirtiofsdAlert(a.metric));
  t.deepEqual(forNamespace.map((a) => a.metric.alertname), [], 'no virtiofsd alert, firing or pending, for the namespace-mode sandbox');
});

test.serial('a policy edit acknowledges the chroot sandbox live: marked in report and metrics, its alerts resolve; a broken edit keeps it', async (t) => {
  const e = live();
  const prometheus = e.prometheus;
  if (!prometheus) return t.fail('Prometheus did not start in the previous test');
  const isChrootVirtiofsdAlert = (labels: Record<string, string>): boolean => labels.sandbox_id === chroot.id
    && (/virtiofs/i.test(labels.alertname ?? '') || (labels.rule ?? '').startsWith('KATA-VFS-'));
  writeFileSync(policyFile, [
    'acknowledgements:',
    '  - rule: KATA-VFS-*',
    '    reason: the live suite accepts its chroot-mode virtiofsd',
    '    owner: team-live',
    '    expires: 2099-12-31',
    '    match:',
    `      namespace: ${JSON.stringify(chroot.pod.namespace)}`,
    `      pod: ${JSON.stringify(chroot.pod.name)}`,
    '',
  ].join('\n'));
  // The agent stats the file before each scan and re-reads it when it changed.
  const report = await waitFor('the edited policy to acknowledge the chroot sandbox', 15_000, async () => {
    const r = await e.reportAfter(Date.now());
    return sandboxOf(r, chroot)?.findings.some((f) => f.rule === 'KATA-VFS-001' && f.acknowledgement) ? r : undefined;
  }, 250);
  const acked = mustFind(t, report, chroot).findings.filter((f) => f.rule.startsWith('KATA-VFS-'));
  t.true(acked.length > 0);
  for (const f of acked) t.like(f.acknowledgement ?? {}, { owner: 'team-live', expires: '2099-12-31T23:59:59Z' }, f.rule);
  for (const other of [ns, seccomp]) {
    t.deepEqual(mustFind(t, report, other).findings.filter((f) => f.acknowledgement).map((f) => f.rule), [], `${other.spec.name}: the entry's match leaves it alone`);
  }
  t.is(report.policy?.entries[0]?.matched, acked.length);
  const metrics = await e.metricsAfter(Date.parse(report.generatedAt));
  t.true(metrics.some((m) => m.name === 'kata_audit_finding' && m.labels.sandbox_id === chroot.id && m.labels.rule === 'KATA-VFS-001' && m.labels.acknowledged === 'true'));
  t.false(metrics.some((m) => m.name === 'kata_audit_finding' && m.labels.sandbox_id === chroot.id && m.labels.rule === 'KATA-VFS-001' && m.labels.acknowledged === 'false'));
  // Prometheus evaluates the project's alerts every second: the chroot sandbox's virtiofsd alerts go away.
  let firing: Array<{ metric: Record<string, string> }> = [];
  try {
    await waitFor('the chroot sandbox\'s virtiofsd alerts to resolve', 20_000, async () => {
      firing = (await prometheus.query('ALERTS{alertstate="firing"}')).filter((a) => isChrootVirtiofsdAlert(a.metric));
      return firing.length === 0 ? true : undefined;
    }, 500);
  } catch {
    // Asserted below, with what Prometheus had.
  }
  t.deepEqual(firing.map((a) => a.metric.alertname), [], 'no firing virtiofsd alert for an acknowledged sandbox');

  // A broken edit: refused, counted, and the last good policy stays in force.
  writeFileSync(policyFile, 'acknowledgements:\n  - rule: KATA-VFS-001\n    reason: no owner and no expiry\n');
  const afterBreak = await waitFor('the broken policy to be refused', 15_000, async () => {
    const m = await e.metricsAfter(Date.now());
    return m.some((x) => x.name === 'kata_audit_policy_last_reload_success' && x.value === 0) ? m : undefined;
  }, 250);
  t.true((afterBreak.find((x) => x.name === 'kata_audit_policy_reload_failures_total')?.value ?? 0) >= 1);
  t.true(afterBreak.some((m) => m.name === 'kata_audit_finding' && m.labels.sandbox_id === chroot.id && m.labels.rule === 'KATA-VFS-001' && m.labels.acknowledged === 'true'), 'the last good policy still acknowledges');
  t.regex(e.agent ? readFileSync(e.agent.log, 'utf8') : '', /policy file changed but does not load/, 'the agent logs the refusal');

  // Back to no acknowledgement for the tests that follow.
  writeFileSync(policyFile, EMPTY_POLICY);
  await waitFor('the empty policy to load', 15_000, async () => {
    const r = await e.reportAfter(Date.now());
    return sandboxOf(r, chroot)?.findings.every((f) => f.acknowledgement === null) ? true : undefined;
  }, 250);
});

test.serial('killing a sandbox\'s QEMU ends its virtiofsd and removes it from the next report and scrape', async (t) => {
  const e = live();
  const before = await e.metricsAfter(Date.now());
  t.true(seriesFor(before, seccomp.id).length > 0, 'the sandbox has series before the kill');
  const qemu = seccomp.qemu!;
  const daemons = seccomp.virtiofsdPids().map((pid) => ({ pid, startTime: statOf(pid)!.startTime }));
  t.is(daemons.length, 2, 'two virtiofsd processes before the kill');
  process.kill(qemu.pid, 'SIGKILL');
  const gone = await waitFor('QEMU, both virtiofsd processes and the shim to exit', 10_000, () =>
    [qemu, ...daemons, seccomp.shim!].some(isAlive) ? undefined : Date.now()).catch(() => undefined);
  t.truthy(gone, `still alive: ${[qemu, ...daemons, seccomp.shim!].filter(isAlive).map((p) => p.pid).join(', ')}`);
  const since = gone ?? Date.now();
  const report = await e.reportAfter(since);
  t.is(sandboxOf(report, seccomp), undefined, 'gone from the next /report.json');
  t.truthy(sandboxOf(report, ns) && sandboxOf(report, chroot), 'the others stay');
  const after = await e.metricsAfter(since);
  t.deepEqual(seriesFor(after, seccomp.id).map((s) => `${s.name}${JSON.stringify(s.labels)}`), [], 'no stale series on the next /metrics');
  t.true(seriesFor(after, ns.id).length > 0, 'the other sandboxes keep their series');
});

test.serial('everything started is stopped, by id, within the time budget', async (t) => {
  const e = live();
  const recorded = e.started.length;
  await e.stop();
  t.deepEqual(e.survivors().map((s) => `${s.what} ${s.pid}`), [], `all ${recorded} recorded processes are gone`);
  t.deepEqual(e.unmountUnder(e.dir), [], 'no mount is left under the run directory');
  if (process.env.KATA_AUDIT_LIVE_KEEP !== '1') t.false(existsSync(e.dir), 'the run directory is removed');
  t.deepEqual(e.sandboxes.map((s) => virtiofsdPidFile(s.vhostSocket)).filter((f) => existsSync(f)), [], 'virtiofsd\'s pid files in /run/virtiofsd are removed');
  t.true(Date.now() - suiteStarted < 120_000, `the live suite took ${Math.round((Date.now() - suiteStarted) / 1000)} s`);
});
