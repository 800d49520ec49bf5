// Churn on the live /proc: for 30 s, Kata-shaped look-alikes (copies of dash named qemu-system-x86_64,
// firecracker, cloud-hypervisor, virtiofsd and containerd-shim-kata-v2, each claiming a fresh sandbox id)
// and plain short-lived processes start and exit, while the real daemon scans every 200 ms and is scraped
// continuously. Processes exit between readdir and read, become zombies, get their pids reused: the scan
// must shrug all of it off. Asserted: the daemon never crashes and exits 0 on SIGTERM, logs no unhandled
// rejection or error, never lists a sandbox from a scan that started after its process exited, and its RSS
// at the end stays within a bound of its RSS after warm-up.
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { processMemory } from '../helpers/agent-daemon.js';
import { get, median } from '../helpers/http-probe.js';
import { Rng } from '../helpers/synthetic-host.js';
import type { Report } from '../../src/model/report.js';
import { daemonFor, ready, sleep } from './helpers.js';

const CHURN_MS = 30_000;
const MAX_ALIVE = 40;

interface Lookalike {
  id: string;
  pid: number;
  startedAt: number;
  /** Date.now() when Node saw the exit; never earlier than the real exit, so checks against it are lenient only. */
  exitedAt: number | null;
}

/** argv after the binary for each look-alike kind; each names the sandbox id where Kata's processes do. */
const KINDS: ReadonlyArray<{ binary: string; args: (id: string) => string[] }> = [
  { binary: 'qemu-system-x86_64', args: (id) => ['-name', `sandbox-${id}`, '-machine', 'q35,accel=kvm', '-m', '2048M'] },
  { binary: 'firecracker', args: (id) => ['--id', id.slice(0, 32), '--config-file', '/fcConfig.json'] },
  { binary: 'cloud-hypervisor', args: (id) => ['--api-socket', `/run/vc/vm/${id}/clh-api.sock`] },
  { binary: 'virtiofsd', args: (id) => ['--syslog', `--shared-dir=/run/kata-containers/shared/sandboxes/${id}/shared`, '--fd=3'] },
  { binary: 'containerd-shim-kata-v2', args: (id) => ['-namespace', 'k8s.io', '-address', '/run/containerd/containerd.sock', '-id', id] },
];

test('30 s of process churn on the live /proc while the daemon is scraped', async (t) => {
  // dash ignores everything after `-c CMD $0 $1...`, so the look-alike keeps a Kata-shaped argv while it
  // runs `sleep`; its comm is the copy's file name, its exe the copy (not on any allowed list).
  const bin = mkdtempSync(path.join(tmpdir(), 'kata-audit-churn-'));
  t.teardown(() => rmSync(bin, { recursive: true, force: true }));
  for (const { binary } of KINDS) copyFileSync('/bin/dash', path.join(bin, binary));

  const daemon = await daemonFor(t, { procfs: '/proc', minInterval: '200ms' });
  await ready(daemon.url);

  const rng = new Rng(Date.now() & 0xffffffff);
  const lookalikes = new Map<string, Lookalike>();
  const children = new Set<ChildProcess>();
  const track = (child: ChildProcess, onExit?: () => void): void => {
    children.add(child);
    child.once('exit', () => {
      children.delete(child);
      onExit?.();
    });
    child.once('error', () => children.delete(child));
  };

  const startLookalike = (): void => {
    const kind = KINDS[rng.int(0, KINDS.length - 1)]!;
    const id = rng.hex(64);
    const life = (rng.int(2, 25) / 10).toFixed(1);
    const child = spawn(path.join(bin, kind.binary), ['-c', `sleep ${life}; exit 0`, ...kind.args(id)], { stdio: 'ignore' });
    if (child.pid === undefined) return;
    const entry: Lookalike = { id, pid: child.pid, startedAt: Date.now(), exitedAt: null };
    lookalikes.set(id, entry);
    track(child, () => { entry.exitedAt = Date.now(); });
  };
  const startPlain = (): void => {
    track(spawn('/bin/sleep', [(rng.int(1, 8) / 10).toFixed(1)], { stdio: 'ignore' }));
  };

  const stopAt = Date.now() + CHURN_MS;
  const spawner = (async () => {
    while (Date.now() < stopAt) {
      if (children.size < MAX_ALIVE) {
        startLookalike();
        startPlain();
        startPlain();
      }
      await sleep(rng.int(10, 60));
    }
  })();

  // Scrapers: /metrics and /report.json back to back from three loops, checking every report as it comes.
  const stale: string[] = [];
  let reports = 0;
  let listedOurs = 0;
  let scrapes = 0;
  const failures: string[] = [];
  // Look-alikes are listed under their claimed id (the report's id carries an "untrusted:" prefix).
  const ourIds = (report: Report): string[] => report.sandboxes.map((s) => s.claimedId ?? s.id).filter((id) => lookalikes.has(id) || [...lookalikes.keys()].some((full) => full.startsWith(id) && id.length === 32));
  const checkReport = (report: Report): void => {
    reports++;
    const scanStartedAt = Date.parse(report.generatedAt) - report.scan.durationSeconds * 1000;
    for (const id of ourIds(report)) {
      listedOurs++;
      const owners = [...lookalikes.values()].filter((l) => l.id === id || (id.length === 32 && l.id.startsWith(id)));
      // Listed is fine only if some process claiming the id was still alive when the scan began.
      const alive = owners.some((l) => l.exitedAt === null || l.exitedAt >= scanStartedAt);
      if (!alive) stale.push(`${id} listed by a scan that began ${(scanStartedAt - Math.max(...owners.map((l) => l.exitedAt ?? 0))).toFixed(0)} ms after its process exited`);
    }
  };
  const scraper = async (): Promise<void> => {
    while (Date.now() < stopAt) {
      const metrics = await get(`${daemon.url}/metrics`).catch((error: Error) => ({ status: -1, body: error.message }));
      scrapes++;
      if (metrics.status !== 200) failures.push(`/metrics ${metrics.status}: ${metrics.body.slice(0, 200)}`);
      const res = await get(`${daemon.url}/report.json`).catch((error: Error) => ({ status: -1, body: error.message }));
      scrapes++;
      if (res.status !== 200) failures.push(`/report.json ${res.status}: ${res.body.slice(0, 200)}`);
      else checkReport(JSON.parse(res.body) as Report);
    }
  };
  const rss: Array<{ at: number; bytes: number }> = [];
  const sampler = (async () => {
    const t0 = Date.now();
    while (Date.now() < stopAt) {
      rss.push({ at: Date.now() - t0, bytes: processMemory(daemon.pid).rss });
      await sleep(500);
    }
  })();

  await Promise.all([spawner, scraper(), scraper(), scraper(), sampler]);

  // Let everything exit, then ask for a scan that starts after the last exit.
  const drainDeadline = Date.now() + 10_000;
  while (children.size > 0 && Date.now() < drainDeadline) await sleep(50);
  for (const child of children) child.kill('SIGKILL');
  await sleep(300);
  const lastExit = Math.max(...[...lookalikes.values()].map((l) => l.exitedAt ?? Date.now()));
  let final: Report | undefined;
  for (let i = 0; i < 20; i++) {
    const report = JSON.parse((await get(`${daemon.url}/report.json`)).body) as Report;
    if (Date.parse(report.generatedAt) - report.scan.durationSeconds * 1000 > lastExit) {
      final = report;
      break;
    }
    await sleep(100);
  }

  const warm = median(rss.filter((s) => s.at >= 5_000 && s.at < 10_000).map((s) => s.bytes));
  const end = median(rss.slice(-10).map((s) => s.bytes));
  const mib = (b: number): string => (b / 2 ** 20).toFixed(1);
  t.log(`${lookalikes.size} look-alikes started, ${reports} reports checked, ${scrapes} scrapes, look-alikes listed ${listedOurs} times`);
  t.log(`RSS after warm-up ${mib(warm)} MiB, at the end ${mib(end)} MiB, peak ${mib(processMemory(daemon.pid).hwm)} MiB`);

  t.deepEqual(failures.slice(0, 5), [], 'every scrape answered 200');
  t.true(reports > 20, 'reports were checked throughout');
  t.true(listedOurs > 0, 'the look-alikes were seen by the scans (the test exercised discovery)');
  t.deepEqual(stale.slice(0, 5), [], 'no sandbox outlived its processes');
  t.not(final, undefined, 'a scan started after every look-alike had exited');
  t.deepEqual(final ? ourIds(final) : [], [], 'the scan after the churn lists none of the look-alikes');
  // Garbage collection makes RSS move; growth beyond a quarter plus 16 MiB in 20 s would be a leak.
  t.true(end <= warm * 1.25 + 16 * 2 ** 20, `RSS grew from ${mib(warm)} to ${mib(end)} MiB`);

  t.is(daemon.child.exitCode, null, 'the daemon survived the churn');
  const exit = await daemon.stop(6_000);
  t.is(exit.code, 0, `exit code after SIGTERM (signal ${exit.signal})`);
  t.notRegex(daemon.output(), /unhandled|uncaught|level=error|FATAL|heap out of memory/i);
});
