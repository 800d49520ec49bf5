// One scan: host -> facts -> sandboxes -> verdicts -> Report. Each stage runs as a "collector" the
// node_exporter way: timed, and a stage that throws is recorded (E_INTERNAL) and marked failed while the
// rest of the scan goes on.
import { compareCodeUnits } from './model/compare.js';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { assess } from './assess/assess.js';
import { discoverSandboxes, type DiscoveredSandbox, type Discovery } from './discover/discover.js';
import { readNamespaceIds, ProcessCache } from './discover/process-facts.js';
import { readProcessTable } from './discover/process-table.js';
import type { TrustAnchors } from './discover/anchors.js';
import { BundleDirs } from './discover/bundle-dirs.js';
import { ExecutableAllowList } from './discover/trust.js';
import { FileIdentities } from './host/file-identity.js';
import { messageOf, ScanUnavailableError } from './errors.js';
import { readCpuVulnerabilities } from './host/cpu-vulnerabilities.js';
import { HostView } from './host/host-view.js';
import { readIommuState } from './host/iommu.js';
import { readKernelModules } from './host/kernel-modules.js';
import { readNodeInfo } from './host/node-info.js';
import { readTeeCapability } from './host/tee.js';
import { ScanErrorLog } from './host/scan-error-log.js';
import { readVfioDevices, type HostVfioDevice } from './host/vfio-devices.js';
import { readKataConfigs, type KataConfigReading } from './inspect/kata-config-files.js';
import { confidentialOf } from './inspect/confidential-from-config.js';
import { shimConfigInputs } from './inspect/shim-configuration.js';
import { BinaryVersions } from './inspect/binary-version.js';
import { inspectSandbox, type SandboxInspection } from './inspect/sandbox-inspection.js';
import {
  SCHEMA_VERSION,
  type CollectorResult,
  type HostFacts,
  type Report,
  type Sandbox,
} from './model/report.js';
import { stripDeleted } from './host/proc/exe-link.js';
import type { ScanConfig } from './scan-config.js';
import { applyPolicy, type PolicyStageOutput } from './policy/apply.js';
import type { PolicySource } from './policy/source.js';

/** State kept between scans of one daemon: caches of facts that cannot change for a given process. */
export class ScanState {
  readonly processCache = new ProcessCache();
  readonly binaryVersions = new BinaryVersions();
  /** OS, kernel and CPU flags do not change while the agent runs; systeminformation costs ~30 ms a call. */
  nodeInfo: { value: Report['node']; readAt: number } | undefined;
  /** The --policy.file in force (reloaded on change by the source), if one is set. */
  readonly policy: PolicySource | undefined;
  /** Clock for acknowledgement expiry (ms since the epoch); tests pass a fixed one. */
  readonly now: () => number;

  constructor(options: { policy?: PolicySource; now?: () => number } = {}) {
    this.policy = options.policy;
    this.now = options.now ?? Date.now;
  }
}

const NODE_INFO_TTL_MS = 10 * 60 * 1000;

export async function runScan(config: ScanConfig, state: ScanState = new ScanState()): Promise<Report> {
  const started = process.hrtime.bigint();
  const run = new ScanRun(config);
  const hostFacts = await collectHostFacts(run, state);
  const found = await collectSandboxes(run, state, hostFacts.referenceNamespaces);
  state.processCache.sweep();
  if (run.live) await run.collect('versions', undefined, () => addVersions(found.inspections.map((i) => i.inspection.sandbox), state.binaryVersions));
  const host = hostOf(config, hostFacts, found);
  const verdicts = await judge(run, state, hostFacts.node, host, found.inspections);
  const listed = limitTrusted(verdicts.sandboxes, config.maxSandboxes);
  recordOmissions(run.errors, config, listed.omitted, found.discovery.untrustedOmitted);
  return {
    schemaVersion: SCHEMA_VERSION,
    generatedAt: new Date().toISOString(),
    node: hostFacts.node,
    host,
    sandboxes: listed.kept,
    findings: verdicts.hostFindings,
    errors: run.errors.toList(),
    limits: { sandboxesOmitted: listed.omitted, untrustedOmitted: found.discovery.untrustedOmitted },
    collectors: run.collectors,
    ...(verdicts.summary ? { policy: verdicts.summary } : {}),
    scan: {
      durationSeconds: Number(process.hrtime.bigint() - started) / 1e9,
      processesSeen: found.processesSeen,
      candidates: found.discovery.candidates,
      errorsByStage: Object.fromEntries([...run.errors.countsByStage.entries()].sort(([a], [b]) => compareCodeUnits(a, b))),
    },
  };
}

/** One scan's view of the host, its errors and its collectors (timed stages, the node_exporter way). */
class ScanRun {
  readonly errors = new ScanErrorLog();
  readonly view: HostView;
  readonly live: boolean;
  readonly collectors: CollectorResult[] = [];

  constructor(readonly config: ScanConfig) {
    this.view = new HostView(config.roots, this.errors);
    if (!this.view.rootExists('proc')) throw new ScanUnavailableError(`the procfs root ${config.roots.procfs} does not exist`);
    this.live = !config.fixtureRoots && config.roots.procfs === '/proc' && config.roots.rootfs === '/';
  }

  /** Runs one stage: a stage that throws is recorded (E_INTERNAL), marked failed, and `fallback` stands in. */
  async collect<T>(name: string, fallback: T, run: () => T | Promise<T>): Promise<T> {
    const t0 = process.hrtime.bigint();
    let success = true;
    let value = fallback;
    try {
      value = await run();
    } catch (error) {
      success = false;
      this.errors.add('internal', null, 'E_INTERNAL', `collector ${name} failed: ${messageOf(error)}`);
    }
    this.collectors.push({ name, success, durationSeconds: Number(process.hrtime.bigint() - t0) / 1e9 });
    // Let the HTTP server answer health checks between stages of a large scan.
    await yieldToEventLoop();
    return value;
  }
}

type HostReadings = Pick<HostFacts, 'kernelModules' | 'iommu' | 'cpuVulnerabilities' | 'referenceNamespaces' | 'tee'> & {
  node: Report['node'];
  hostVfio: HostVfioDevice[];
};

/** The host-wide stages: node, kernel modules, IOMMU, VFIO, CPU flaws, the reference namespaces. */
async function collectHostFacts(run: ScanRun, state: ScanState): Promise<HostReadings> {
  const { view, config } = run;
  const node = await run.collect('node', emptyNode(), async () => {
    if (state.nodeInfo && Date.now() - state.nodeInfo.readAt < NODE_INFO_TTL_MS) return state.nodeInfo.value;
    const value = await readNodeInfo(view, run.live);
    state.nodeInfo = { value, readAt: Date.now() };
    return value;
  });
  const kernelModules = await run.collect('kernel_modules', [], () => readKernelModules(view));
  const iommu = await run.collect('iommu', { enabled: false, vfioUnsafeInterrupts: false, vfioNoIommu: false, iommufdUnsafeInterrupts: false }, () => readIommuState(view));
  const hostVfio = await run.collect('vfio', [], () => readVfioDevices(view));
  const cpuVulnerabilities = await run.collect('cpu_vulnerabilities', [], () => readCpuVulnerabilities(view));
  const tee = await run.collect('tee', { tdx: null, sev: null, sevEs: null, sevSnp: null, se: null, files: [] }, () => readTeeCapability(view));
  const referenceNamespaces = await run.collect('reference', {}, () => {
    const ids = readNamespaceIds(view, config.referencePid, 'reference');
    if (Object.values(ids).some((id) => id === null)) {
      run.errors.add('reference', `/proc/${config.referencePid}/ns`, 'E_ACCESS',
        `namespaces of the reference process ${config.referencePid} cannot be read; shared namespaces are unknown (set --host.reference-pid)`);
    }
    return ids;
  });
  return { node, kernelModules, iommu, hostVfio, cpuVulnerabilities, referenceNamespaces, tee };
}

type KataConfigs = KataConfigReading;
interface Inspected { sandbox: DiscoveredSandbox; inspection: SandboxInspection }
interface FoundSandboxes { kata: KataConfigs; discovery: Discovery; inspections: Inspected[]; processesSeen: number }

/** The Kata configuration, then discovery and inspection of every sandbox. */
async function collectSandboxes(run: ScanRun, state: ScanState, reference: HostFacts['referenceNamespaces']): Promise<FoundSandboxes> {
  // Kata configuration first: its valid_*_paths extend the executable allow-list used by discovery. Its errors
  // go to a scratch log: once the shims are known the configuration is read again, whole, and that reading
  // records them (recording both listed every configuration error twice).
  const firstReading = new ScanErrorLog();
  let reread = false;
  const found: FoundSandboxes = {
    kata: await run.collect('kata_config', { summaries: [], allowedExecutables: [], sandboxes: new Map() } as KataConfigs,
      () => readKataConfigs(new HostView(run.config.roots, firstReading), [])),
    discovery: { sandboxes: [], candidates: 0, untrustedOmitted: 0 },
    inspections: [],
    processesSeen: 0,
  };
  found.inspections = await run.collect('processes', [] as Inspected[], () => {
    const { view, config } = run;
    const table = readProcessTable(view);
    if (table === undefined) throw new Error(`cannot list ${config.roots.procfs}`);
    found.processesSeen = table.byPid.size;
    found.discovery = discoverSandboxes(view, table, trustAnchorsOf(run, found.kata), state.processCache);
    // Now that the shims are known, the configuration again: which file each one runs with.
    const shims = shimConfigInputs(view, found.discovery.sandboxes);
    if (shims.length > 0) {
      found.kata = readKataConfigs(view, shims);
      reread = true;
    }
    return found.discovery.sandboxes.map((sandbox) => {
      const inspection = inspectSandbox(view, sandbox, reference);
      inspection.sandbox.configuration = sandbox.trusted ? (found.kata.sandboxes.get(sandbox.id) ?? null) : null;
      if (sandbox.trusted) inspection.sandbox.confidential = confidentialOf(inspection.sandbox, found.kata.summaries);
      return { sandbox, inspection };
    });
  });
  // No second reading (no shim, or the process table failed): the first one's errors are the configuration's.
  if (!reread) for (const e of firstReading.entries) run.errors.add(e.stage, e.path, e.code, e.message);
  return found;
}

function trustAnchorsOf(run: ScanRun, kata: KataConfigs): TrustAnchors {
  const { view, config } = run;
  return {
    view,
    allowList: new ExecutableAllowList([...config.trustExePaths, ...kata.allowedExecutables]),
    bundleDirs: new BundleDirs(config.bundleDirs),
    identities: new FileIdentities(view, config.fixtureRoots || !view.isKernelProcfs()),
  };
}

function hostOf(config: ScanConfig, readings: HostReadings, found: FoundSandboxes): HostFacts {
  // Which sandbox holds each VFIO group, from the /dev/vfio/<group> fds of its processes.
  const groupOwner = new Map<string, string>();
  // IOMMUFD: one cdev is one device (no group expansion), so a cdev names its device directly.
  const cdevOwner = new Map<string, string>();
  for (const { sandbox, inspection } of found.inspections) {
    if (!sandbox.trusted) continue;
    for (const group of inspection.vfioGroups) groupOwner.set(group, sandbox.id);
    for (const cdev of inspection.vfioCdevs) cdevOwner.set(cdev, sandbox.id);
  }
  const ownerOf = (d: HostVfioDevice): string | null =>
    (d.cdev ? cdevOwner.get(d.cdev) : undefined) ?? (d.iommuGroup === null ? null : (groupOwner.get(d.iommuGroup) ?? null));
  return {
    kernelModules: readings.kernelModules,
    iommu: readings.iommu,
    vfioDevices: readings.hostVfio.map((d) => ({ ...d, sandboxId: ownerOf(d) })),
    cpuVulnerabilities: readings.cpuVulnerabilities,
    kataConfig: found.kata.summaries,
    referenceNamespaces: readings.referenceNamespaces,
    referencePid: config.referencePid,
    tee: readings.tee,
  };
}

/** Every sandbox is judged before the limit applies (see limitTrusted). */
async function judge(run: ScanRun, state: ScanState, node: Report['node'], host: HostFacts, inspections: readonly Inspected[]): Promise<PolicyStageOutput> {
  const unjudged = inspections.map(({ inspection }) => inspection.sandbox);
  const fallback = { hostFindings: [], sandboxFindings: unjudged.map(() => []), scores: unjudged.map(() => 0), contributions: unjudged.map(() => []), failures: [] };
  const verdicts = await run.collect('assess', fallback, () => assess({ node, host, sandboxes: unjudged }));
  for (const failure of verdicts.failures ?? []) run.errors.add('assess', null, 'E_INTERNAL', `rule ${failure.rule} failed: ${failure.message}`);
  const scored: Sandbox[] = unjudged.map((s, i) => ({
    ...s, findings: verdicts.sandboxFindings[i] ?? [], exposureScore: verdicts.scores[i] ?? 0, scoreContributions: verdicts.contributions[i] ?? [],
  }));
  // Acknowledgements before the limit: an entry that matched only sandboxes beyond it still matched.
  return policyStage(run, state, { node, host, sandboxes: scored, hostFindings: verdicts.hostFindings });
}

function recordOmissions(errors: ScanErrorLog, config: ScanConfig, sandboxesOmitted: number, untrustedOmitted: number): void {
  if (sandboxesOmitted > 0) {
    errors.add('discover', null, 'E_LIMIT', `${sandboxesOmitted} trusted sandboxes beyond --max-sandboxes=${config.maxSandboxes} were counted but not listed`);
  }
  if (untrustedOmitted > 0) {
    errors.add('discover', null, 'E_LIMIT', `${untrustedOmitted} further look-alike processes were counted but not listed`);
  }
}

/**
 * Without a policy every finding gets `acknowledgement: null` (nothing that can fail, so no collector); with
 * one, the stage is the `policy` collector, and if it throws the findings stand unacknowledged.
 */
async function policyStage(run: ScanRun, state: ScanState, input: Parameters<typeof applyPolicy>[0]): Promise<PolicyStageOutput> {
  if (state.policy === undefined) return applyPolicy(input, null, state.now());
  const source = state.policy;
  return run.collect('policy', applyPolicy(input, null, state.now()), () => applyPolicy(input, source.current(), state.now()));
}

async function addVersions(sandboxes: SandboxInspection['sandbox'][], versions: BinaryVersions): Promise<void> {
  for (const sandbox of sandboxes) {
    if (!sandbox.trusted) continue; // never execute a look-alike's binary
    for (const process of sandbox.processes) {
      if ((process.role === 'vmm' || process.role === 'virtiofsd') && process.exe !== null && process.exeAllowed) {
        process.version = await versions.get(stripDeleted(process.exe), process.pid);
      }
    }
  }
}

/** Trusted and unverified sandboxes share --max-sandboxes; look-alikes are bounded in discovery instead. */
function countsAgainstLimit(sandbox: Sandbox): boolean {
  return sandbox.trusted || sandbox.trust === 'unknown';
}

/** Keeps at most `max` sandboxes that count against the limit: trusted before unverified, the most exposed first. */
export function limitTrusted(sandboxes: Sandbox[], max: number): { kept: Sandbox[]; omitted: number } {
  const limited = sandboxes.filter(countsAgainstLimit);
  if (limited.length <= max) return { kept: sandboxes, omitted: 0 };
  const rank = (s: Sandbox): number => (s.trusted ? 0 : 1);
  const chosen = new Set(
    [...limited].sort((a, b) => rank(a) - rank(b) || b.exposureScore - a.exposureScore || compareCodeUnits(a.id, b.id)).slice(0, max),
  );
  return { kept: sandboxes.filter((s) => chosen.has(s) || !countsAgainstLimit(s)), omitted: limited.length - max };
}

function emptyNode(): Report['node'] {
  return { hostname: null, kernelRelease: null, os: null, arch: null, cpuVirtualization: null, isVirtualMachine: null };
}
