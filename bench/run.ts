// `npm run bench`: what one scan and one scrape cost, as the number of sandboxes grows, against the peer that
// also walks every process (node_exporter's processes collector) and against the raw-read floor, on the
// same synthetic tree in the same run. Prints markdown tables for the README and writes
// bench/results/latest.json. Never a timed test: a shared CI machine is too noisy to fail a build on.
//
// Knobs (environment): BENCH_SIZES=0,10,100,250,500  BENCH_OTHER=3000  BENCH_SCANS=15  BENCH_SCRAPES=200
// BENCH_SCRAPE_SECONDS=30 (time budget per daemon phase)  BENCH_LEAN=1 (also run the single-threaded 250 tree)
// BENCH_TMPDIR=dir (where trees are written; default /dev/shm when it is tmpfs, see lib/tree-dir.ts)
// BENCH_COMPARE_FLAGS="--max-semi-space-size=1" (also run the 250 daemon phase with extra node flags).
// BENCH_BIG=1000:5000 (the large point: sandboxes:other processes; "" skips it)
// BENCH_LONG_SCANS=10000 BENCH_LONG_SANDBOXES=10 BENCH_LONG_OTHER=100 (the flatness run; 0 skips it)
// BENCH_OUT=latest (write latest.{md,json} from a run with other knobs; the header lists them).
// A quick subset while iterating: BENCH_SIZES=250 BENCH_BIG= BENCH_LONG_SCANS=1000 BENCH_SCANS=5 BENCH_SCRAPES=30.
import { messageOf } from '../src/errors.js';
import { DEFAULT_BUNDLE_DIRS } from '../src/discover/bundle-dirs.js';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { renderExposition, PROMETHEUS_CONTENT_TYPE } from '../src/export/metrics.js';
import { SelfMetrics } from '../src/export/self-metrics.js';
import { materialiseFixtureHost } from '../src/fixture-host/materialise.js';
import type { Report } from '../src/model/report.js';
import type { ScanConfig } from '../src/scan-config.js';
import { runScan, ScanState } from '../src/scan.js';
import { buildInfo } from '../src/version.js';
import { processCpuSeconds, processMemory, REPO_ROOT, spawnDaemon, DEPLOYED_NODE_FLAGS } from '../test/helpers/agent-daemon.js';
import { parseExposition, seriesCounts } from '../test/helpers/exposition.js';
import { closeIdleSockets, get, median, PROMETHEUS_HEADERS, quantile } from '../test/helpers/http-probe.js';
import { nodeExporterAvailable, startNodeExporter } from './lib/node-exporter.js';
import { rawReadPass, recordReads, summariseReads } from './lib/read-recorder.js';
import { treeBaseDir } from '../test/helpers/tree-dir.js';
import { hostShape, syntheticHost } from '../test/helpers/synthetic-host.js';

const SIZES = (process.env.BENCH_SIZES ?? '0,10,100,250,500').split(',').map(Number);
const OTHER = Number(process.env.BENCH_OTHER ?? 3000);
const SCANS = Number(process.env.BENCH_SCANS ?? 15);
const SCRAPES = Number(process.env.BENCH_SCRAPES ?? 200);
const SCRAPE_SECONDS = Number(process.env.BENCH_SCRAPE_SECONDS ?? 30);
const LEAN = process.env.BENCH_LEAN !== '0';
const TARGET_SIZE = 250;
const [BIG_SANDBOXES, BIG_OTHER] = (process.env.BENCH_BIG ?? '1000:5000').split(':').map(Number) as [number, number];
const BIG = Number.isFinite(BIG_SANDBOXES) && BIG_SANDBOXES > 0 ? { sandboxes: BIG_SANDBOXES, other: Number.isFinite(BIG_OTHER) ? BIG_OTHER : OTHER } : null;
const LONG = {
  scans: Number(process.env.BENCH_LONG_SCANS ?? 10_000),
  sandboxes: Number(process.env.BENCH_LONG_SANDBOXES ?? 10),
  other: Number(process.env.BENCH_LONG_OTHER ?? 100),
};
const KNOBS = ['BENCH_SIZES', 'BENCH_OTHER', 'BENCH_SCANS', 'BENCH_SCRAPES', 'BENCH_SCRAPE_SECONDS', 'BENCH_LEAN', 'BENCH_BIG', 'BENCH_LONG_SCANS', 'BENCH_LONG_SANDBOXES', 'BENCH_LONG_OTHER'];
/**
 * Optional side-by-side of the daemon phase at the target size with extra node flags, e.g.
 * BENCH_COMPARE_FLAGS="--max-semi-space-size=1". V8 takes the last value of a repeated flag, so appending
 * overrides a deployed one. Off by default: the deployed flags are what the targets are judged on.
 */
const PROPOSED_FLAGS: readonly string[] | null = process.env.BENCH_COMPARE_FLAGS
  ? [...DEPLOYED_NODE_FLAGS, ...process.env.BENCH_COMPARE_FLAGS.split(/\s+/).filter(Boolean)]
  : null;
const SCRAPE_INTERVAL_S = 15;

interface Stats { median: number; min: number; max: number; p90?: number; samples: number }

interface SizeResult {
  label: string;
  sandboxes: number;
  otherProcesses: number;
  /** 1-minute load average when this size started. */
  loadavg: number;
  processes: number;
  threads: number;
  materialiseSeconds: number;
  sandboxesFound: number;
  scanErrors: number;
  coldScanMs: number;
  scanMs: Stats;
  cpuSecondsPerScan: number;
  reads: ReturnType<typeof summariseReads>;
  floorMs: Stats;
  scanOverFloor: number;
  render: { ms: Stats; bytes: number; series: number; nodeSeries: number; sandboxSeriesMean: number; sandboxSeriesMax: number };
  daemon: DaemonResult | { error: string };
  /** At the target size only: the same daemon phase with a candidate V8 flag (see PROPOSED_FLAGS). */
  daemonProposedFlags?: DaemonResult | { error: string };
  nodeExporter: { scrapeMs: Stats; collectorSeconds: number; bytes: number } | { error: string };
}

interface DaemonResult {
  /** Every scrape forced a scan (--scan.min-interval=1ms). */
  forcedScrapes: number;
  forcedScrapeMs: Stats;
  /** Scrapes served from the scan cache (--scan.min-interval=1h): render only. */
  cachedScrapeMs: Stats;
  scansCounted: number | null;
  cpuSecondsPerForcedScrape: number;
  rssEndBytes: number;
  peakRssBytes: number;
  /** VmRSS of the cached-mode daemon 3 s after its last scrape. */
  idleRssBytes: number;
  wireBytes: number;
  exitCode: number | null;
}

function stats(values: readonly number[]): Stats {
  if (values.length === 0) return { median: NaN, min: NaN, max: NaN, samples: 0 };
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), p90: quantile(values, 0.9), samples: values.length };
}

function ms(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e6;
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

const self = new SelfMetrics();
const build = buildInfo();

async function render(report: Report): Promise<string> {
  // The daemon's own render: report families plus the agent's process metrics, text format.
  return renderExposition(report, { perSandbox: true, buildInfo: build, scans: { total: 1, failures: 0 }, self }, PROMETHEUS_CONTENT_TYPE);
}

/**
 * Generates and writes the tree, and lets go of the description: the host object (every process with its
 * files) would otherwise stay reachable for the whole measurement and make every GC of the scans trace it.
 */
function writeTree(dir: string, sandboxes: number, other: number, ordinaryThreads: boolean): { roots: ScanConfig['roots']; shape: ReturnType<typeof hostShape>; seconds: number } {
  const host = syntheticHost({ sandboxes, otherProcesses: other, ordinaryThreads });
  const shape = hostShape(host);
  log(`[${sandboxes}${ordinaryThreads ? '' : ' lean'}] materialising ${shape.processes} processes / ${shape.threads} threads in ${dir}`);
  const t0 = process.hrtime.bigint();
  const roots = materialiseFixtureHost(host, dir);
  return { roots, shape, seconds: ms(t0) / 1000 };
}

async function measure(label: string, sandboxes: number, ordinaryThreads: boolean, other = OTHER): Promise<SizeResult> {
  const dir = mkdtempSync(path.join(treeBaseDir(), `kata-audit-bench-${sandboxes}-`));
  try {
    const { roots, shape, seconds: materialiseSeconds } = writeTree(dir, sandboxes, other, ordinaryThreads);
    // Every sandbox listed and labelled, also past the default --max-sandboxes (500): the worst case.
    const maxSandboxes = Math.max(500, sandboxes);
    const config: ScanConfig = { roots, referencePid: 1, trustExePaths: [], bundleDirs: [...DEFAULT_BUNDLE_DIRS], maxSandboxes, fixtureRoots: true };
    const loadavg = os.loadavg()[0]!;

    // In-process: one warm process, a shared ScanState as the daemon keeps it.
    gc();
    const state = new ScanState();
    const c0 = process.hrtime.bigint();
    await runScan(config, state);
    const coldScanMs = ms(c0);
    for (let i = 0; i < 2; i++) await runScan(config, state);
    const { result: recorded, reads } = await recordReads(() => runScan(config, state));
    const times: number[] = [];
    let report: Report = recorded;
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < SCANS; i++) {
      const s = process.hrtime.bigint();
      report = await runScan(config, state);
      times.push(ms(s));
    }
    const cpu = process.cpuUsage(cpu0);
    const cpuSecondsPerScan = (cpu.user + cpu.system) / 1e6 / SCANS;

    // A shallow copy per render: the exposition of a report is memoised per report object (scrapes within
    // the min-interval share it), and this column is the cost of rendering a new scan's report.
    const renderTimes: number[] = [];
    let text = '';
    for (let i = 0; i < 10; i++) {
      const fresh: Report = { ...report };
      const s = process.hrtime.bigint();
      text = await render(fresh);
      renderTimes.push(ms(s));
    }
    const parsed = parseExposition(text);
    if (parsed.errors.length > 0) log(`[${label}] exposition does not parse: ${parsed.errors.slice(0, 3).join('; ')}`);
    const counts = seriesCounts(parsed.samples);
    const perSandbox = [...counts.bySandbox.values()];

    for (let i = 0; i < 2; i++) rawReadPass(reads);
    const floorTimes = Array.from({ length: SCANS }, () => rawReadPass(reads));
    const scanMs = stats(times);
    const floorMs = stats(floorTimes);
    log(`[${label}] scan p50 ${scanMs.median.toFixed(1)} ms, floor p50 ${floorMs.median.toFixed(1)} ms, ${reads.length} reads`);

    const result: SizeResult = {
      label,
      sandboxes,
      otherProcesses: other,
      loadavg,
      processes: shape.processes,
      threads: shape.threads,
      materialiseSeconds,
      sandboxesFound: report.sandboxes.filter((s) => s.trusted).length,
      scanErrors: report.errors.length,
      coldScanMs,
      scanMs,
      cpuSecondsPerScan,
      reads: summariseReads(reads),
      floorMs,
      scanOverFloor: scanMs.median / floorMs.median,
      render: {
        ms: stats(renderTimes),
        bytes: Buffer.byteLength(text),
        series: counts.total,
        nodeSeries: counts.node,
        sandboxSeriesMean: perSandbox.length ? perSandbox.reduce((a, b) => a + b, 0) / perSandbox.length : 0,
        sandboxSeriesMax: perSandbox.length ? Math.max(...perSandbox) : 0,
      },
      daemon: await measureDaemon(label, roots, DEPLOYED_NODE_FLAGS, true, maxSandboxes).catch((error: unknown) => ({ error: messageOf(error) })),
      ...(PROPOSED_FLAGS !== null && sandboxes === TARGET_SIZE && ordinaryThreads
        ? { daemonProposedFlags: await measureDaemon(`${label} ${process.env.BENCH_COMPARE_FLAGS}`, roots, PROPOSED_FLAGS, false, maxSandboxes).catch((error: unknown) => ({ error: messageOf(error) })) }
        : {}),
      nodeExporter: await measureNodeExporter(roots).catch((error: unknown) => ({ error: messageOf(error) })),
    };
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measureDaemon(label: string, roots: ScanConfig['roots'], nodeFlags: readonly string[], withCached: boolean, maxSandboxes: number): Promise<DaemonResult> {
  const common = { procfs: roots.procfs, sysfs: roots.sysfs, rootfs: roots.rootfs, nodeFlags: [...nodeFlags], extraArgs: [`--max-sandboxes=${maxSandboxes}`] };
  // Forced: every scrape runs a scan, as node_exporter does on every scrape: the fair comparison, and the
  // worst case for RSS and CPU.
  const forced = await spawnDaemon({ ...common, minInterval: '1ms' });
  const forcedTimes: number[] = [];
  let cpuPerScrape = NaN;
  let memory = { rss: NaN, hwm: NaN };
  let scans: number | null = null;
  let wireBytes = 0;
  let exitCode: number | null = null;
  try {
    await waitReady(forced.url);
    for (let i = 0; i < 3; i++) await get(`${forced.url}/metrics`, PROMETHEUS_HEADERS);
    const cpuStart = processCpuSeconds(forced.pid);
    const deadline = Date.now() + SCRAPE_SECONDS * 1000;
    while (forcedTimes.length < SCRAPES && Date.now() < deadline) {
      const res = await get(`${forced.url}/metrics`, PROMETHEUS_HEADERS);
      if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
      forcedTimes.push(res.ms);
      wireBytes = res.wireBytes;
    }
    cpuPerScrape = (processCpuSeconds(forced.pid) - cpuStart) / forcedTimes.length;
    memory = processMemory(forced.pid);
    const last = await get(`${forced.url}/metrics`);
    const counter = parseExposition(last.body).samples.find((s) => s.name === 'kata_audit_scans_total');
    scans = counter ? counter.value : null;
  } finally {
    exitCode = (await forced.stop()).code;
  }
  log(`[${label}] daemon: ${forcedTimes.length} forced scrapes, p50 ${median(forcedTimes).toFixed(1)} ms, peak RSS ${(memory.hwm / 2 ** 20).toFixed(1)} MiB`);

  const cachedTimes: number[] = [];
  let idleRssBytes = NaN;
  if (withCached) {
    const cached = await spawnDaemon({ ...common, minInterval: '1h' });
    try {
      await waitReady(cached.url);
      for (let i = 0; i < 3; i++) await get(`${cached.url}/metrics`, PROMETHEUS_HEADERS);
      for (let i = 0; i < 30; i++) cachedTimes.push((await get(`${cached.url}/metrics`, PROMETHEUS_HEADERS)).ms);
      // Idle: the daemon between scrapes, its report and rendered text held, 3 s after the last request.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      idleRssBytes = processMemory(cached.pid).rss;
    } finally {
      await cached.stop();
    }
  }
  return {
    forcedScrapes: forcedTimes.length,
    forcedScrapeMs: stats(forcedTimes),
    cachedScrapeMs: stats(cachedTimes),
    scansCounted: scans,
    cpuSecondsPerForcedScrape: cpuPerScrape,
    rssEndBytes: memory.rss,
    peakRssBytes: memory.hwm,
    idleRssBytes,
    wireBytes,
    exitCode,
  };
}

async function waitReady(url: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if ((await get(`${url}/readyz`)).status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('daemon not ready within 60 s');
}

async function measureNodeExporter(roots: ScanConfig['roots']): Promise<{ scrapeMs: Stats; collectorSeconds: number; bytes: number }> {
  if (!nodeExporterAvailable()) throw new Error('prometheus-node-exporter is not installed (apt-get install prometheus-node-exporter)');
  const ne = await startNodeExporter(roots.procfs, roots.sysfs);
  try {
    for (let i = 0; i < 3; i++) await get(`${ne.url}/metrics`, PROMETHEUS_HEADERS);
    const times: number[] = [];
    const collector: number[] = [];
    let bytes = 0;
    for (let i = 0; i < SCANS; i++) {
      const res = await get(`${ne.url}/metrics`, PROMETHEUS_HEADERS);
      times.push(res.ms);
      bytes = Buffer.byteLength(res.body);
      const sample = parseExposition(res.body).samples.find((s) => s.name === 'node_scrape_collector_duration_seconds' && s.labels.collector === 'processes');
      if (sample) collector.push(sample.value);
      const ok = parseExposition(res.body).samples.find((s) => s.name === 'node_scrape_collector_success' && s.labels.collector === 'processes');
      if (ok?.value !== 1) throw new Error('node_exporter processes collector failed on this tree');
    }
    return { scrapeMs: stats(times), collectorSeconds: median(collector), bytes };
  } finally {
    await ne.stop();
  }
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

// ------------------------------------------------------------------------------------------------ report

function slope(points: ReadonlyArray<[number, number]>): number {
  const n = points.length;
  if (n < 2) return NaN;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  const sxy = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return sxx === 0 ? NaN : sxy / sxx;
}

const f1 = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');
const f2 = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');
const mib = (bytes: number): string => (Number.isFinite(bytes) ? (bytes / 2 ** 20).toFixed(1) : 'n/a');

function isDaemon(d: SizeResult['daemon']): d is DaemonResult {
  return !('error' in d);
}

function neOf(r: SizeResult): { scrapeMs: Stats; collectorSeconds: number; bytes: number } | null {
  return 'error' in r.nodeExporter ? null : r.nodeExporter;
}

function markdown(results: readonly SizeResult[], long: LongRun | null, machine: Record<string, unknown>): string {
  const out: string[] = [];
  out.push(`Synthetic hosts: N Kata sandboxes (50% QEMU, 20% Cloud Hypervisor, 20% Firecracker, 10% Dragonball) among ${OTHER} other processes; ${machine.cpu} (${machine.cores} cores), Node.js ${machine.node}, ${machine.date}; trees on ${machine.treeDir}; daemon run as \`node ${machine.daemonNodeFlags}\`. Load average at start: ${machine.loadavg}.`, '');
  out.push('**Scan (in one warm process, shared ScanState)**', '');
  out.push('| sandboxes | processes / threads | scan p50 (min-max) ms | cold scan ms | CPU s/scan | file ops per scan | raw-read floor p50 ms | scan / floor | render ms | /metrics bytes | series (node + per sandbox mean/max) |');
  out.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    out.push(`| ${r.label} | ${r.processes} / ${r.threads} | ${f1(r.scanMs.median)} (${f1(r.scanMs.min)}-${f1(r.scanMs.max)}) | ${f1(r.coldScanMs)} | ${r.cpuSecondsPerScan.toFixed(3)} | ${r.reads.operations} | ${f1(r.floorMs.median)} | ${f2(r.scanOverFloor)}x | ${f1(r.render.ms.median)} | ${r.render.bytes} | ${r.render.series} (${r.render.nodeSeries} + ${f1(r.render.sandboxSeriesMean)}/${r.render.sandboxSeriesMax}) |`);
  }
  out.push('', '**Daemon (real `kata-audit serve`, deployed node flags) and node_exporter on the same tree**', '');
  out.push('| sandboxes | scrape p50 with a scan each (p90) ms | cached scrape p50 ms | node_exporter scrape p50 ms (collector) | kata-audit / node_exporter | daemon CPU s/scrape | peak RSS MiB (VmHWM) | scrapes |');
  out.push('|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    const d = isDaemon(r.daemon) ? r.daemon : null;
    const ne = neOf(r);
    const ratio = d && ne ? d.forcedScrapeMs.median / ne.scrapeMs.median : NaN;
    out.push(`| ${r.label} | ${d ? `${f1(d.forcedScrapeMs.median)} (${f1(d.forcedScrapeMs.p90 ?? NaN)})` : 'n/a'} | ${d ? f1(d.cachedScrapeMs.median) : 'n/a'} | ${ne ? `${f1(ne.scrapeMs.median)} (${f1(ne.collectorSeconds * 1000)})` : 'n/a'} | ${f2(ratio)}x | ${d ? d.cpuSecondsPerForcedScrape.toFixed(3) : 'n/a'} | ${d ? mib(d.peakRssBytes) : 'n/a'} | ${d ? d.forcedScrapes : 'n/a'} |`);
  }
  const proposed = results.filter((r) => r.daemonProposedFlags !== undefined && isDaemon(r.daemonProposedFlags));
  if (PROPOSED_FLAGS !== null && proposed.length > 0) {
    out.push('', `**Extra node flags, same tree: \`${PROPOSED_FLAGS.join(' ')}\`**`, '');
    out.push('| sandboxes | flags | scrape p50 with a scan each ms | daemon CPU s/scrape | peak RSS MiB |', '|---:|---|---:|---:|---:|');
    for (const r of proposed) {
      for (const [flags, d] of [[DEPLOYED_NODE_FLAGS.join(' '), r.daemon], [PROPOSED_FLAGS.join(' '), r.daemonProposedFlags!]] as const) {
        if (!isDaemon(d)) continue;
        out.push(`| ${r.label} | \`${flags}\` | ${f1(d.forcedScrapeMs.median)} | ${d.cpuSecondsPerForcedScrape.toFixed(3)} | ${mib(d.peakRssBytes)} |`);
      }
    }
  }
  const sized = results.filter((r) => !r.label.includes('lean') && r.otherProcesses === OTHER);
  const scanSlope = slope(sized.map((r) => [r.sandboxes, r.scanMs.median]));
  const scrapeSlope = slope(sized.filter((r) => isDaemon(r.daemon)).map((r) => [r.sandboxes, (r.daemon as DaemonResult).forcedScrapeMs.median]));
  const readSlope = slope(sized.map((r) => [r.sandboxes, r.reads.operations]));
  const seriesSlope = slope(sized.map((r) => [r.sandboxes, r.render.series]));
  out.push('', `Marginal cost per sandbox (least-squares slope over the sizes): scan ${f2(scanSlope)} ms, scrape ${f2(scrapeSlope)} ms, ${f1(readSlope)} file operations, ${f1(seriesSlope)} series.`);

  out.push('', ...targetTable(targets(results, long), machine));
  return `${out.join('\n')}\n`;
}

interface TargetRow { target: string; measured: string; bound: string; met: boolean | null }

/** The DaemonSet's memory limit (deploy/kubernetes/daemonset.yaml), the bound of the large point's RSS. */
function daemonSetMemoryLimitBytes(): number {
  const yaml = readFileSync(path.join(REPO_ROOT, 'deploy/kubernetes/daemonset.yaml'), 'utf8');
  const match = /limits:\s*\n(?:[ \t]+\w+:.*\n)*?[ \t]+memory:\s*(\d+)(Mi|Gi)/.exec(yaml);
  return match ? Number(match[1]) * (match[2] === 'Gi' ? 2 ** 30 : 2 ** 20) : NaN;
}

const BOUNDS = { scanOverFloor: 1.3, peakRss: 80e6, idleRss: 60e6, cpuPerScrape: 0.15, bigScrapeMs: 1000, heapGrowth: 2 ** 20 } as const;
const mb = (bytes: number): string => `${mib(bytes)} MiB (${(bytes / 1e6).toFixed(1)} MB)`;

/** The rows of issue 14 at the target size, on the threaded and the lean tree. */
function targetSizeRows(r: SizeResult): TargetRow[] {
  const d = isDaemon(r.daemon) ? r.daemon : null;
  const ne = neOf(r);
  const tree = `${r.label}, load ${r.loadavg.toFixed(2)}`;
  const rows: TargetRow[] = [];
  if (d && ne) {
    const ratio = d.forcedScrapeMs.median / ne.scrapeMs.median;
    rows.push({ target: `scrape with a fresh scan vs node_exporter processes collector, deployed flags [${tree}]`, measured: `${f1(d.forcedScrapeMs.median)} vs ${f1(ne.scrapeMs.median)} ms (${f2(ratio)}x)`, bound: '<= 1.00x', met: ratio <= 1 });
  }
  rows.push({ target: `scan vs raw-read floor [${tree}]`, measured: `${f1(r.scanMs.median)} vs ${f1(r.floorMs.median)} ms (${f2(r.scanOverFloor)}x)`, bound: `<= ${BOUNDS.scanOverFloor}x`, met: r.scanOverFloor <= BOUNDS.scanOverFloor });
  if (!d) return rows;
  rows.push({ target: `peak RSS as deployed (VmHWM, forced scans) [${tree}]`, measured: mb(d.peakRssBytes), bound: '< 80 MB', met: d.peakRssBytes < BOUNDS.peakRss });
  if (Number.isFinite(d.idleRssBytes)) rows.push({ target: `idle RSS as deployed (VmRSS 3 s after a scrape) [${tree}]`, measured: mb(d.idleRssBytes), bound: '< 60 MB', met: d.idleRssBytes < BOUNDS.idleRss });
  rows.push({ target: `CPU per scrape with a fresh scan (1% of a core at ${SCRAPE_INTERVAL_S} s) [${tree}]`, measured: `${d.cpuSecondsPerForcedScrape.toFixed(3)} CPU-s (${((d.cpuSecondsPerForcedScrape / SCRAPE_INTERVAL_S) * 100).toFixed(2)}% of a core)`, bound: `< ${BOUNDS.cpuPerScrape} CPU-s`, met: d.cpuSecondsPerForcedScrape < BOUNDS.cpuPerScrape });
  const p = r.daemonProposedFlags !== undefined && isDaemon(r.daemonProposedFlags) ? r.daemonProposedFlags : null;
  if (p) rows.push({ target: `peak RSS with ${process.env.BENCH_COMPARE_FLAGS} [${tree}]`, measured: mb(p.peakRssBytes), bound: '< 80 MB', met: p.peakRssBytes < BOUNDS.peakRss });
  return rows;
}

function longRunRow(long: LongRun): TargetRow {
  const first = long.checkpoints[0];
  const last = long.checkpoints.at(-1);
  if (!first || !last) return { target: 'flat over many scans', measured: 'n/a', bound: 'n/a', met: null };
  const heap = last.heapUsed - first.heapUsed;
  const caches = `process cache ${first.cacheSize} -> ${last.cacheSize} entries`;
  return {
    target: `flat over ${long.scans} scans and renders (${long.sandboxes} sandboxes among ${long.other} processes, in-process, heap after GC from scan ${first.scan} to ${last.scan}, load ${long.loadavg.toFixed(2)})`,
    measured: `heap ${heap >= 0 ? '+' : ''}${(heap / 2 ** 10).toFixed(0)} KiB, RSS ${((last.rss - first.rss) / 2 ** 20).toFixed(1)} MiB; ${caches}`,
    bound: 'heap growth < 1 MiB, caches constant',
    met: heap < BOUNDS.heapGrowth && first.cacheSize === last.cacheSize,
  };
}

function bigRows(results: readonly SizeResult[]): TargetRow[] {
  const big = results.find((r) => BIG !== null && r.sandboxes === BIG.sandboxes && r.otherProcesses === BIG.other && !r.label.includes('lean'));
  if (!big) return [];
  const d = isDaemon(big.daemon) ? big.daemon : null;
  const where = `[${big.sandboxes} sandboxes among ${big.otherProcesses} other processes, load ${big.loadavg.toFixed(2)}]`;
  const limit = daemonSetMemoryLimitBytes();
  const rows: TargetRow[] = [
    { target: `scrape with a fresh scan ${where}`, measured: d ? `${f1(d.forcedScrapeMs.median)} ms (p90 ${f1(d.forcedScrapeMs.p90 ?? NaN)})` : 'n/a', bound: '< 1 s', met: d ? d.forcedScrapeMs.median < BOUNDS.bigScrapeMs : null },
    { target: `peak RSS as deployed ${where}`, measured: d ? mb(d.peakRssBytes) : 'n/a', bound: `< ${mib(limit)} MiB (DaemonSet limit)`, met: d ? d.peakRssBytes < limit : null },
  ];
  const sized = results.filter((r) => !r.label.includes('lean') && r.otherProcesses === OTHER);
  const daemons = sized.filter((r) => isDaemon(r.daemon)).map((r) => [r.sandboxes, r.daemon as DaemonResult] as const);
  const scrape = slope(daemons.map(([n, x]) => [n, x.forcedScrapeMs.median]));
  const cpu = slope(daemons.map(([n, x]) => [n, x.cpuSecondsPerForcedScrape]));
  const rss = slope(daemons.map(([n, x]) => [n, x.peakRssBytes]));
  const ops = slope(sized.map((r) => [r.sandboxes, r.reads.operations]));
  rows.push({ target: `marginal cost per sandbox (least-squares slope over the sizes among ${OTHER} processes)`, measured: `scrape ${f2(scrape)} ms, ${Number.isFinite(cpu) ? (cpu * 1000).toFixed(2) : 'n/a'} CPU-ms, peak RSS ${Number.isFinite(rss) ? (rss / 1024).toFixed(0) : 'n/a'} KiB, ${f1(ops)} file ops`, bound: 'stated', met: null });
  return rows;
}

function targets(results: readonly SizeResult[], long: LongRun | null): TargetRow[] {
  const rows = results.filter((r) => r.sandboxes === TARGET_SIZE && r.otherProcesses === OTHER).flatMap(targetSizeRows);
  if (long) rows.push(longRunRow(long));
  return [...rows, ...bigRows(results)];
}

/** The target table, between the markers scripts/bench-readme.mjs copies into the README. */
function targetTable(rows: readonly TargetRow[], machine: Record<string, unknown>): string[] {
  return [
    '<!-- bench:targets -->',
    `Targets of issue 14 (${TARGET_SIZE} sandboxes among ${OTHER} processes unless said), \`npm run bench\` on ${machine.cpu} (${machine.cores} cores, shared), Node.js ${machine.node}, ${machine.date}, daemon run as \`node ${machine.daemonNodeFlags}\`; load average (1 min) at each measurement in brackets.`,
    '',
    '| target | measured | bound | met |',
    '|---|---|---|---|',
    ...rows.map((t) => `| ${t.target} | ${t.measured} | ${t.bound} | ${t.met === null ? 'stated' : t.met ? 'yes' : '**no**'} |`),
    '<!-- /bench:targets -->',
  ];
}

interface LongRun { scans: number; sandboxes: number; other: number; loadavg: number; seconds: number; checkpoints: Array<{ scan: number; heapUsed: number; rss: number; cacheSize: number }> }

/**
 * Flatness: many scans and renders in one process with one ScanState, as the daemon runs them, on a small tree
 * (the same code paths and caches, a fraction of the time of 10,000 scans at 250 sandboxes). The heap after
 * a full GC at every tenth is what would grow if a cache or the render memo kept old reports.
 */
async function measureLong(): Promise<LongRun | null> {
  if (!(LONG.scans > 0)) return null;
  const dir = mkdtempSync(path.join(treeBaseDir(), 'kata-audit-bench-long-'));
  try {
    const { roots } = writeTree(dir, LONG.sandboxes, LONG.other, true);
    const config: ScanConfig = { roots, referencePid: 1, trustExePaths: [], bundleDirs: [...DEFAULT_BUNDLE_DIRS], maxSandboxes: 500, fixtureRoots: true };
    const state = new ScanState();
    const every = Math.max(1, Math.floor(LONG.scans / 10));
    const checkpoints: LongRun['checkpoints'] = [];
    const loadavg = os.loadavg()[0]!;
    const t0 = process.hrtime.bigint();
    for (let i = 1; i <= LONG.scans; i++) {
      await render(await runScan(config, state));
      if (i % every !== 0) continue;
      gc();
      const m = process.memoryUsage();
      checkpoints.push({ scan: i, heapUsed: m.heapUsed, rss: m.rss, cacheSize: state.processCache.size });
    }
    log(`[long] ${LONG.scans} scans in ${(ms(t0) / 1000).toFixed(0)} s`);
    return { ...LONG, loadavg, seconds: ms(t0) / 1000, checkpoints };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const machine = {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    node: process.version,
    kernel: os.release(),
    date: new Date().toISOString().slice(0, 10),
    loadavg: os.loadavg().map((x) => x.toFixed(2)).join(' '),
    daemonNodeFlags: DEPLOYED_NODE_FLAGS.join(' '),
    treeDir: treeBaseDir(),
  };
  const started = Date.now();
  const results: SizeResult[] = [];
  for (const n of SIZES) {
    results.push(await measure(String(n), n, true));
    gc();
  }
  if (LEAN && SIZES.includes(TARGET_SIZE)) results.push(await measure(`${TARGET_SIZE} lean`, TARGET_SIZE, false));
  if (BIG) results.push(await measure(`${BIG.sandboxes} among ${BIG.other}`, BIG.sandboxes, true, BIG.other));
  closeIdleSockets();
  gc();
  const long = await measureLong();

  // Knobs other than the defaults are part of the result: the header says which were set.
  const knobs = KNOBS.filter((name) => process.env[name] !== undefined).map((name) => `${name}=${process.env[name]}`);
  const table = `${knobs.length > 0 ? `Run with ${knobs.join(' ')}.\n\n` : ''}${markdown(results, long, machine)}`;
  process.stdout.write(table);
  const outDir = path.join(REPO_ROOT, 'bench/results');
  mkdirSync(outDir, { recursive: true });
  // Only the full default run is "latest" (the README's numbers) unless BENCH_OUT=latest says so; a run with
  // other sizes, fewer scans or fewer processes must not overwrite it by accident.
  const name = knobs.length === 0 || process.env.BENCH_OUT === 'latest' ? 'latest' : 'partial';
  const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  writeFileSync(path.join(outDir, `${name}.json`), `${JSON.stringify({ version: pkg.version, machine, knobs, seconds: (Date.now() - started) / 1000, results, long, targets: targets(results, long) }, null, 2)}\n`);
  writeFileSync(path.join(outDir, `${name}.md`), table);
  log(`bench done in ${((Date.now() - started) / 1000).toFixed(0)} s; results in bench/results/${name}.{json,md}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
