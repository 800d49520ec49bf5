// Hostile host content, on synthetic fixture trees. Everything here is something a workload (or a broken
// node) can put in front of the agent: sandbox ids that would break a label or a path, a thousand processes
// posing as VMMs, and /proc files that are cut, garbled, huge or endless. Asserted: nothing reaches a label
// unescaped or unvalidated (every /metrics line parses, promtool is satisfied), look-alikes stay bounded in
// series and in scan time, and no input throws out of runScan: each oddity becomes a recorded error with a
// stable code while the genuine sandboxes next to it are still found.
//
// The tests run serially: materialising a tree is synchronous, and a sibling test materialising while a scan
// awaits between its stages would be counted in that scan's wall time.
import { execFile } from 'node:child_process';
import { writeFileSync, rmSync, symlinkSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import fc from 'fast-check';
import { parseExposition, seriesCounts } from '../helpers/exposition.js';
import { get } from '../helpers/http-probe.js';
import { syntheticHost } from '../helpers/synthetic-host.js';
import { MAX_UNTRUSTED_SANDBOXES } from '../../src/discover/discover.js';
import { renderExposition } from '../../src/export/metrics.js';
import type { FixtureHost, FixtureProcess } from '../../src/fixture-host/description.js';
import { isValidSandboxId } from '../../src/model/sandbox-id.js';
import type { Report } from '../../src/model/report.js';
import { runScan, ScanState } from '../../src/scan.js';
import { daemonFor, materialised, ready, scanConfigOf } from './helpers.js';

const GO_SHIM = '/opt/kata/bin/containerd-shim-kata-v2';
const QEMU = '/opt/kata/bin/qemu-system-x86_64';
const VIRTIOFSD = '/opt/kata/libexec/virtiofsd';
const BUILD = { version: 'test', revision: 'test', nodejs: process.version };

/** Ids that must never become a label or a path component. */
const HOSTILE_IDS: readonly string[] = [
  'quote"inside',
  'brace}{inside',
  '} evil{le="1',
  'new\nline',
  'back\\slash',
  'a'.repeat(10_000),
  '../../../etc',
  'spaces in id',
  'ünïcödé-id',
  '-leading-dash',
  'x',
  '\u0000nul',
];

function shimArgv(id: string): string[] {
  return [GO_SHIM, '-namespace', 'k8s.io', '-address', '/run/containerd/containerd.sock', '-publish-binary', '/usr/bin/containerd', '-id', id];
}

/** Pids above every synthetic one, so the hostile processes never collide with the generated host. */
function pidCounter(start: number): () => number {
  let next = start;
  return () => next++;
}

/** A Kata-shaped group (trusted exe paths!) for each hostile id: shim, QEMU, virtiofsd, CLH, Firecracker. */
function hostileIdProcesses(nextPid: () => number): FixtureProcess[] {
  const out: FixtureProcess[] = [];
  for (const id of HOSTILE_IDS) {
    const shim = nextPid();
    out.push({ pid: shim, argv: shimArgv(id), comm: 'containerd-shim', exe: GO_SHIM });
    out.push({ pid: nextPid(), ppid: shim, argv: [QEMU, '-name', `sandbox-${id}`, '-machine', 'q35,accel=kvm', '-m', '2048M', '-smp', '1'], comm: 'qemu-system-x86', exe: QEMU, fds: { '3': '/dev/kvm', '4': '/dev/vhost-net' } });
    out.push({ pid: nextPid(), ppid: shim, argv: [VIRTIOFSD, `--shared-dir=/run/kata-containers/shared/sandboxes/${id}/shared`, '--fd=3'], exe: VIRTIOFSD });
    out.push({ pid: nextPid(), ppid: shim, argv: ['/opt/kata/bin/cloud-hypervisor', '--api-socket', `/run/vc/vm/${id}/clh-api.sock`], comm: 'cloud-hyperviso', exe: '/opt/kata/bin/cloud-hypervisor' });
    out.push({ pid: nextPid(), argv: ['/firecracker', '--id', id, '--config-file', '/fcConfig.json'], comm: 'firecracker', exe: '/opt/kata/bin/firecracker' });
    // And the same claims from a workload's own binaries (untrusted from the start).
    out.push({ pid: nextPid(), argv: ['qemu-system-x86_64', '-name', `sandbox-${id}`], comm: 'qemu-system-x86', exe: '/tmp/qemu-system-x86_64', uid: 1000 });
  }
  return out;
}

function shimIdOf(p: FixtureProcess): string | undefined {
  const i = p.argv.indexOf('-id');
  return i === -1 ? undefined : p.argv[i + 1];
}

async function promtool(text: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = execFile('/usr/bin/promtool', ['check', 'metrics'], { timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: `${stdout}${stderr}` });
    });
    child.stdin!.end(text);
  });
}

test.serial('hostile sandbox ids never reach a label; they become E_INVALID_ID errors', async (t) => {
  const host = syntheticHost({ sandboxes: 4, otherProcesses: 60 });
  host.processes!.push(...hostileIdProcesses(pidCounter(900_000)));
  // A genuine sandbox whose bundle annotations try to smuggle label syntax into pod_name/pod_namespace/pod_uid.
  const genuine = host.processes!.find((p) => p.exe === GO_SHIM)!;
  const genuineId = shimIdOf(genuine)!;
  host.files![`root/run/containerd/io.containerd.runtime.v2.task/k8s.io/${genuineId}/config.json`] = JSON.stringify({
    annotations: {
      'io.kubernetes.cri.sandbox-name': 'evil"} kata_audit_fake{x="1',
      'io.kubernetes.cri.sandbox-namespace': 'ns\nkata_audit_injected 1',
      'io.kubernetes.cri.sandbox-uid': '../../etc/passwd',
    },
  });
  // sysfs is not the workload's, but escaping must hold for any file name a label is taken from.
  host.files!['sys/devices/system/cpu/vulnerabilities/odd"name{x}'] = 'Vulnerable: "quoted" \\ and {braces}\n';

  const roots = materialised(t, host);
  const daemon = await daemonFor(t, { ...roots, minInterval: '1s' });
  await ready(daemon.url);
  const text = (await get(`${daemon.url}/metrics`, { Accept: 'text/plain;version=0.0.4' })).body;
  const openMetrics = (await get(`${daemon.url}/metrics`, { Accept: 'application/openmetrics-text;version=1.0.0' })).body;
  const report = JSON.parse((await get(`${daemon.url}/report.json`)).body) as Report;

  for (const [format, body] of [['text', text], ['OpenMetrics', openMetrics]] as const) {
    const parsed = parseExposition(body);
    t.deepEqual(parsed.errors.slice(0, 5), [], `every ${format} line parses`);
    for (const sample of parsed.samples) {
      const id = sample.labels.sandbox_id;
      if (id !== undefined && id !== '') t.true(isValidSandboxId(id), `${format}: sandbox_id ${JSON.stringify(id.slice(0, 80))}`);
      for (const value of Object.values(sample.labels)) {
        t.false(value.includes('\n') && sample.name !== 'kata_audit_cpu_vulnerability_info', `${format}: newline in a label of ${sample.name}`);
        t.true(value.length <= 1024, `${format}: a ${value.length}-character label on ${sample.name}`);
      }
    }
    t.false(parsed.samples.some((s) => s.name === 'kata_audit_fake' || s.name === 'kata_audit_injected'), `${format}: no injected series`);
  }
  const lint = await promtool(text);
  t.is(lint.code, 0, lint.output);
  t.is(lint.output.trim(), '', 'promtool check metrics has nothing to report');

  // The genuine sandbox is still there, with its hostile pod names refused, not passed through.
  const kept = report.sandboxes.find((s) => s.id === genuineId);
  t.truthy(kept, 'the genuine sandbox next to the hostile ones is still reported');
  for (const value of [kept?.pod.name, kept?.pod.namespace, kept?.pod.uid]) t.true(value === null || value === undefined || /^[a-z0-9.-]+$/.test(value), `pod field ${JSON.stringify(value)}`);
  t.is(report.sandboxes.filter((s) => s.trusted).length, 4, 'only the four genuine sandboxes are trusted');
  for (const s of report.sandboxes) t.true(isValidSandboxId(s.id), `report sandbox id ${JSON.stringify(s.id.slice(0, 80))}`);

  const invalid = report.errors.filter((e) => e.code === 'E_INVALID_ID');
  t.log(`${invalid.length} E_INVALID_ID errors; first: ${invalid[0]?.message}`);
  // Every hostile claim is recorded (ids with no valid syntax at all, e.g. the 10,000-character one, included).
  t.true(invalid.length >= HOSTILE_IDS.length, `${invalid.length} E_INVALID_ID errors for ${HOSTILE_IDS.length} hostile ids`);
  for (const e of invalid) t.true(e.message.length < 600, 'the error message quotes a bounded excerpt of the id');
  t.is(daemon.child.exitCode, null);
});

test.serial('1,000 untrusted look-alikes create at most the cap of labelled sandboxes and stay within the scan budget', async (t) => {
  const host = syntheticHost({ sandboxes: 10, otherProcesses: 300, lookalikes: 600 });
  const nextPid = pidCounter(950_000);
  // The other 400: allowed binaries run without a Kata shim (a host user can start /usr/bin/qemu-system-x86_64),
  // shim look-alikes from a home directory, and stray virtiofsd daemons.
  for (let i = 0; i < 400; i++) {
    const id = `${i.toString(16).padStart(8, '0')}${'c'.repeat(56)}`;
    const kind = i % 4;
    if (kind === 0 || kind === 1) host.processes!.push({ pid: nextPid(), argv: ['/usr/bin/qemu-system-x86_64', '-name', `sandbox-${id}`, '-m', '128M'], comm: 'qemu-system-x86', exe: '/usr/bin/qemu-system-x86_64', uid: 1000 });
    else if (kind === 2) host.processes!.push({ pid: nextPid(), argv: ['/home/u/containerd-shim-kata-v2', '-id', id], comm: 'containerd-shim', exe: '/home/u/containerd-shim-kata-v2', uid: 1000 });
    else host.processes!.push({ pid: nextPid(), argv: ['/usr/libexec/virtiofsd', `--shared-dir=/run/kata-containers/shared/sandboxes/${id}/shared`, '--fd=3'], comm: 'virtiofsd', exe: '/usr/libexec/virtiofsd' });
  }
  const roots = materialised(t, host);
  const config = scanConfigOf(roots);

  const started = process.hrtime.bigint();
  const report = await runScan(config, new ScanState());
  const coldMs = Number(process.hrtime.bigint() - started) / 1e6;
  const state = new ScanState();
  await runScan(config, state);
  const warmStarted = process.hrtime.bigint();
  await runScan(config, state);
  const warmMs = Number(process.hrtime.bigint() - warmStarted) / 1e6;
  t.log(`scan with 1,000 look-alikes among ${host.processes!.length} processes: cold ${coldMs.toFixed(0)} ms, warm ${warmMs.toFixed(0)} ms (budget 2,000 ms)`);

  const text = await renderExposition(report, { perSandbox: true, buildInfo: BUILD, scans: { total: 1, failures: 0 } });
  const parsed = parseExposition(text);
  t.deepEqual(parsed.errors.slice(0, 3), []);
  const info = parsed.samples.filter((s) => s.name === 'kata_audit_sandbox_info');
  const untrustedOmitted = parsed.samples.find((s) => s.name === 'kata_audit_untrusted_omitted')?.value ?? 0;
  const labelledIds = seriesCounts(parsed.samples).bySandbox.size;
  t.log(`kata_audit_sandbox_info series: ${info.length}; untrusted omitted: ${untrustedOmitted}; sandbox ids with series: ${labelledIds}; exposition ${text.length} bytes`);

  t.is(report.sandboxes.filter((s) => s.trusted).length, 10, 'the ten genuine sandboxes are found');
  t.true(info.length <= 10 + MAX_UNTRUSTED_SANDBOXES, `${info.length} sandbox_info series`);
  t.true(labelledIds <= 10 + MAX_UNTRUSTED_SANDBOXES, `${labelledIds} sandbox ids carry series`);
  t.true(untrustedOmitted >= 1000 - MAX_UNTRUSTED_SANDBOXES, 'the rest are counted, not labelled');
  t.true(report.sandboxes.length <= 10 + MAX_UNTRUSTED_SANDBOXES, 'the report lists a bounded number too');
  t.true(coldMs < 2_000, `cold scan took ${coldMs.toFixed(0)} ms`);
});

/** /proc and /sys content that is cut, garbled, huge or endless, around genuine sandboxes. */
function hostileContentHost(): { host: FixtureHost; binaryJunk: Array<{ rel: string; bytes: Buffer }>; expectTrusted: number } {
  const host = syntheticHost({ sandboxes: 6, otherProcesses: 80 });
  const procs = host.processes!;
  const nextPid = pidCounter(970_000);
  const binaryJunk: Array<{ rel: string; bytes: Buffer }> = [];
  const validId = (n: number): string => `${n.toString(16).padStart(4, '0')}${'e'.repeat(60)}`;
  const shimWith = (n: number, extra: Partial<FixtureProcess> = {}): number => {
    const pid = nextPid();
    procs.push({ pid, argv: shimArgv(validId(n)), comm: 'containerd-shim', exe: GO_SHIM, ...extra });
    return pid;
  };
  const qemuUnder = (shim: number, n: number, extra: Partial<FixtureProcess> = {}): number => {
    const pid = nextPid();
    procs.push({ pid, ppid: shim, argv: [QEMU, '-name', `sandbox-${validId(n)}`, '-m', '2048M,slots=10,maxmem=4G', '-smp', '1,maxcpus=4'], comm: 'qemu-system-x86', exe: QEMU, ...extra });
    return pid;
  };

  // Truncated status (cut mid-line, no Seccomp line), and one with every field garbled.
  qemuUnder(shimWith(1), 1, { files: { status: 'Name:\tqemu-system-x86\nUmask:\t0022\nState:\tS (sle' } });
  qemuUnder(shimWith(2), 2, { files: { status: 'Name:\t\nUid:\tabc -1 99999999999999999999 x\nNSpid:\t' + Array.from({ length: 200 }, (_, i) => i).join('\t') + '\nCapEff:\tzzzzzzzzzzzzzzzzzz\nSeccomp:\t7\nNoNewPrivs:\t-1\nThreads:\t-5\n' } });
  // Garbage stat lines: binary-ish junk, a comm that fakes the closing parenthesis, an empty file.
  procs.push({ pid: nextPid(), argv: [QEMU], comm: 'qemu-system-x86', exe: QEMU, files: { stat: 'garbage ) ( \u0001\u00ff' } });
  procs.push({ pid: nextPid(), argv: [QEMU], comm: 'qemu) R 1 (x', exe: QEMU });
  procs.push({ pid: nextPid(), argv: [QEMU], comm: 'qemu-system-x86', exe: QEMU, files: { stat: '' } });
  // A 1 MB argv (cut at the read budget) and an argv of 100,000 empty arguments.
  qemuUnder(shimWith(3), 3, { argv: [QEMU, '-name', `sandbox-${validId(3)}`, '-append', 'x'.repeat(1024 * 1024)] });
  qemuUnder(shimWith(4), 4, { argv: [QEMU, '-name', `sandbox-${validId(4)}`, ...Array.from({ length: 100_000 }, () => '')] });
  // Binary junk in cmdline (no NUL separators, invalid UTF-8), written as raw bytes after materialising.
  const junkPid = qemuUnder(shimWith(5), 5);
  binaryJunk.push({ rel: `proc/${junkPid}/cmdline`, bytes: Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 97 + 13) % 255 + 1)) });
  // An fd directory with 10,000 entries, and a process with 3,000 threads.
  qemuUnder(shimWith(6), 6, { fds: Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [String(i + 3), i % 2 ? 'anon_inode:[eventfd]' : '/dev/vhost-net'])) });
  shimWith(7, { threads: Array.from({ length: 3_000 }, (_, i) => ({ tid: 990_000 + i, comm: i % 2 ? 'vmm_master' : `db_vcpu${i}` })) });
  // Namespace links that are not "kind:[inode]", and a process whose ns/, fd/ and task/ are gone.
  const oddNs = qemuUnder(shimWith(8), 8, { omit: ['ns'] });
  for (const [kind, target] of [['mnt', 'garbage'], ['net', 'net:[notanumber]'], ['pid', ''], ['user', 'user:[' + '9'.repeat(400) + ']']] as const) {
    host.links![`proc/${oddNs}/ns/${kind}`] = target || '.';
  }
  qemuUnder(shimWith(9), 9, { omit: ['fd', 'task', 'ns', 'cgroup', 'status', 'root'] });
  // Huge cgroup file and huge mountinfo on a virtiofsd.
  const shim10 = shimWith(10, { cgroup: `0::/${'kubepods/'.repeat(200_000)}` });
  procs.push({ pid: nextPid(), ppid: shim10, argv: [VIRTIOFSD, `--shared-dir=/run/kata-containers/shared/sandboxes/${validId(10)}/shared`, '--fd=3'], exe: VIRTIOFSD, nspid: [1, 1], seccomp: 2, mountinfo: '1 1 0:1 / / rw - tmpfs tmpfs rw\n'.repeat(40_000) });
  // A shim whose environ names a 2 MB Kata configuration file of junk, and a drop-in directory with a deep TOML.
  shimWith(11, { environ: { KATA_CONF_FILE: '/run/evil/configuration.toml' } });
  host.files!['root/run/evil/configuration.toml'] = `[hypervisor.qemu]\npath = "${'A'.repeat(2 * 1024 * 1024)}`;
  host.files!['root/opt/kata/share/defaults/kata-containers/configuration-deep.toml'] = `a = ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`;
  host.files!['root/opt/kata/share/defaults/kata-containers/config.d/00-junk.toml'] = '\u0000\u0001 = = [[[\n';
  // Bundle config.json nested 100,000 deep for a genuine sandbox, and a Firecracker config that is not JSON.
  const genuineShim = procs.find((p) => p.exe === GO_SHIM && p.pid < 900_000)!;
  host.files![`root/run/containerd/io.containerd.runtime.v2.task/k8s.io/${shimIdOf(genuineShim)}/config.json`] = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
  for (const [rel] of Object.entries(host.files!).filter(([rel]) => rel.endsWith('/fcConfig.json'))) host.files![rel] = '{"drives": [{"path_on_host": ' + '{'.repeat(10_000);
  // /proc and /sys host files: junk modules list, binary cpu vulnerability text, a 5 MB cpuinfo.
  host.files!['proc/modules'] = 'vhost_net\nkvm x y z\n\u0000\u0000\n' + 'a '.repeat(100_000);
  binaryJunk.push({ rel: 'sys/devices/system/cpu/vulnerabilities/spectre_v2', bytes: Buffer.from([0xff, 0xfe, 0x00, 0x41, 0x0a, 0xc3, 0x28]) });
  host.files!['proc/cpuinfo'] = 'flags\t\t: svm\n'.repeat(400_000);
  // No genuine sandbox is lost among all that: the six generated ones plus the hostile-but-valid shims.
  return { host, binaryJunk, expectTrusted: 6 };
}

test.serial('hostile /proc and /sys content never throws out of runScan and becomes recorded errors', async (t) => {
  const { host, binaryJunk, expectTrusted } = hostileContentHost();
  const roots = materialised(t, host);
  const base = path.dirname(roots.procfs);
  for (const { rel, bytes } of binaryJunk) writeFileSync(path.join(base, rel), bytes);

  const started = process.hrtime.bigint();
  const report = await runScan(scanConfigOf(roots), new ScanState());
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const codes = new Map<string, number>();
  for (const e of report.errors) codes.set(e.code, (codes.get(e.code) ?? 0) + 1);
  t.log(`scan of the hostile host: ${ms.toFixed(0)} ms; errors by code: ${[...codes].map(([c, n]) => `${c}=${n}`).join(' ')}`);

  const failed = report.collectors.filter((c) => !c.success).map((c) => c.name);
  t.deepEqual(failed, [], 'no collector threw');
  const internal = report.errors.filter((e) => e.code === 'E_INTERNAL');
  t.deepEqual(internal.map((e) => e.message.slice(0, 200)), [], 'no E_INTERNAL (a parser or stage that threw)');
  for (const code of ['E_MALFORMED', 'E_TOO_LARGE', 'E_LIMIT'] as const) t.true((codes.get(code) ?? 0) > 0, `${code} recorded`);
  t.true(report.errors.some((e) => e.code === 'E_LIMIT' && /fds/.test(e.message)), '10,000 fds hit the fd bound');
  t.true(report.errors.some((e) => e.code === 'E_LIMIT' && /threads/.test(e.message)), '3,000 threads hit the thread bound');
  t.true(report.errors.some((e) => e.code === 'E_TOO_LARGE' && /cmdline/.test(e.path ?? '')), 'the 1 MB argv was cut');
  t.true(report.sandboxes.filter((s) => s.trusted && !/^[0-9a-f]{4}e{60}$/.test(s.id)).length >= expectTrusted, 'the genuine sandboxes are still found');
  t.true(ms < 5_000, `scan took ${ms.toFixed(0)} ms`);

  // And the result still renders to a valid exposition.
  const parsed = parseExposition(await renderExposition(report, { perSandbox: true, buildInfo: BUILD }));
  t.deepEqual(parsed.errors.slice(0, 3), []);
});

test.serial('random content in every file of a candidate process never throws out of runScan (property)', async (t) => {
  const bytes = fc.oneof(
    fc.uint8Array({ maxLength: 2048 }).map((a) => Buffer.from(a)),
    fc.string({ maxLength: 512 }).map((s) => Buffer.from(s, 'utf8')),
    // Near-misses of real content: a real-looking line with one part replaced.
    fc.tuple(fc.constantFrom('Name:\t', 'Seccomp:\t', 'NSpid:\t', 'Uid:\t', '0::/', '1 (qemu) S ', 'CapEff:\t'), fc.string({ maxLength: 64 })).map(([a, b]) => Buffer.from(`${a}${b}\n`)),
  );
  const linkTarget = fc.oneof(fc.string({ minLength: 1, maxLength: 200 }).filter((s) => !s.includes('\0')), fc.constantFrom('/dev/vhost-net', 'anon_inode:kvm-vm', 'mnt:[', 'socket:[]', '/dev/vfio/../../etc'));
  const scenario = fc.record({
    files: fc.dictionary(fc.constantFrom('status', 'stat', 'cmdline', 'cgroup', 'environ', 'mountinfo', 'comm', 'task/1001/status', 'task/1001/cgroup'), bytes, { maxKeys: 6 }),
    links: fc.dictionary(fc.constantFrom('ns/mnt', 'ns/net', 'ns/pid', 'exe', 'root', 'cwd', 'fd/3', 'fd/4', 'fd/99'), linkTarget, { maxKeys: 5 }),
    target: fc.constantFrom('shim', 'vmm', 'virtiofsd'),
  });
  let runs = 0;
  await fc.assert(fc.asyncProperty(scenario, async ({ files, links, target }) => {
    runs++;
    const id = 'f'.repeat(64);
    const host: FixtureHost = {
      processes: [
        { pid: 1, ppid: 0, argv: ['/sbin/init'], exe: '/sbin/init' },
        { pid: 500, argv: shimArgv(id), comm: 'containerd-shim', exe: GO_SHIM },
        { pid: 510, ppid: 500, argv: [QEMU, '-name', `sandbox-${id}`, '-m', '1G'], comm: 'qemu-system-x86', exe: QEMU, threads: [{ tid: 1001 }] },
        { pid: 520, ppid: 500, argv: [VIRTIOFSD, `--shared-dir=/run/kata-containers/shared/sandboxes/${id}/shared`, '--fd=3'], exe: VIRTIOFSD, threads: [{ tid: 1001 + 20 }] },
      ],
    };
    const roots = materialised(t, host);
    const pid = target === 'shim' ? 500 : target === 'vmm' ? 510 : 520;
    const procDir = path.join(roots.procfs, String(pid));
    for (const [rel, content] of Object.entries(files)) {
      const file = path.join(procDir, rel.replace('1001', String(pid === 520 ? 1021 : 1001)));
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, content);
    }
    for (const [rel, targetPath] of Object.entries(links)) {
      const file = path.join(procDir, rel);
      mkdirSync(path.dirname(file), { recursive: true });
      rmSync(file, { force: true });
      symlinkSync(targetPath, file);
    }
    const report = await runScan(scanConfigOf(roots), new ScanState());
    if (report.collectors.some((c) => !c.success) || report.errors.some((e) => e.code === 'E_INTERNAL')) {
      throw new Error(`a stage threw: ${JSON.stringify(report.errors.filter((e) => e.code === 'E_INTERNAL'))}`);
    }
    const exposition = parseExposition(await renderExposition(report, { perSandbox: true, buildInfo: BUILD }));
    if (exposition.errors.length > 0) throw new Error(`exposition broken: ${exposition.errors[0]}`);
  }), { numRuns: 40, seed: 0x6b617461 });
  t.log(`${runs} random hosts scanned`);
  t.pass();
});
