// One scan: host -> facts -> sandboxes -> verdicts -> Report. Each stage runs as a "collector" the
// node_exporter way: timed, and a stage that throws is recorded (E_INTERNAL) and marked failed while the
// rest of the scan goes on.
import { compareCodeUnits } from './model/compare.js';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { assess } from './assess/assess.js';
import { discoverSandboxes, type DiscoveredSandbox, type Discovery } from './discover/discover.js';
import { readNamespaceIds, readEnvironVariable, ProcessCache } from './discover/process-facts.js';
import { readProcessTable } from './discover/process-table.js';
import type { TrustAnchors } from './discover/anchors.js';
import { BundleDirs } from './discover/bundle-dirs.js';
import { ExecutableAllowList } from './discover/trust.js';
import { FileIdentities } from './host/file-identity.js';
import { ScanUnavailableError } from './errors.js';
import { readCpuVulnerabilities } from './host/cpu-vulnerabilities.js';
import { HostView } from './host/host-view.js';
import { readIommuState } from './host/iommu.js';
import { readKernelModules } from './host/kernel-modules.js';
import { readNodeInfo } from './host/node-info.js';
import { messageOf, ScanErrorLog } from './host/scan-error-log.js';
import { readVfioDevices } from './host/vfio-devices.js';
import { readKataConfigs } from './inspect/kata-config-files.js';
import { BinaryVersions } from './inspect/binary-version.js';
import { inspectSandbox, type SandboxInspection } from './inspect/sandbox-inspection.js';
import {
  SCHEMA_VERSION,
  type CollectorResult,
  type HostFacts,
  type KataConfigSummary,
  type Report,
  type Sandbox,
} from './model/report.js';
import type { ScanConfig } from './scan-config.js';

/** State kept between scans of one daemon: caches of facts that cannot change for a given process. */
export class ScanState {
  readonly processCache = new ProcessCache();
  readonly binaryVersions = new BinaryVersions();
  /** OS, kernel and CPU flags do not change while the agent runs; systeminformation costs ~30 ms a call. */
  nodeInfo: { value: Report['node']; readAt: number } | undefined;
}

const NODE_INFO_TTL_MS = 10 * 60 * 1000;

export async function runScan(config: ScanConfig, state: ScanState = new ScanState()): Promise<Report> {
  const started = process.hrtime.bigint();
  const errors = new ScanErrorLog();
  const view = new HostView(config.roots, errors);
  if (!view.rootExists('proc')) throw new ScanUnavailableError(`the procfs root ${config.roots.procfs} does not exist`);
  const live = !config.fixtureRoots && config.roots.procfs === '/proc' && config.roots.rootfs === '/';
  const collectors: CollectorResult[] = [];

  async function collect<T>(name: string, fallback: T, run: () => T | Promise<T>): Promise<T> {
    const t0 = process.hrtime.bigint();
    let success = true;
    let value = fallback;
    try {
      value = await run();
    } catch (error) {
      success = false;
      errors.add('internal', null, 'E_INTERNAL', `collector ${name} failed: ${messageOf(error)}`);
    }
    collectors.push({ name, success, durationSeconds: Number(process.hrtime.bigint() - t0) / 1e9 });
    // Let the HTTP server answer health checks between stages of a large scan.
    await yieldToEventLoop();
    return value;
  }

  const node = await collect('node', emptyNode(), async () => {
    if (state.nodeInfo && Date.now() - state.nodeInfo.readAt < NODE_INFO_TTL_MS) return state.nodeInfo.value;
    const value = await readNodeInfo(view, live);
    state.nodeInfo = { value, readAt: Date.now() };
    return value;
  });
  const kernelModules = await collect('kernel_modules', [], () => readKernelModules(view));
  const iommu = await collect('iommu', { enabled: false, vfioUnsafeInterrupts: false, vfioNoIommu: false }, () => readIommuState(view));
  const hostVfio = await collect('vfio', [], () => readVfioDevices(view));
  const cpuVulnerabilities = await collect('cpu_vulnerabilities', [], () => readCpuVulnerabilities(view));
  const referenceNamespaces = await collect('reference', {}, () => {
    const ids = readNamespaceIds(view, config.referencePid, 'reference');
    if (Object.values(ids).some((id) => id === null)) {
      errors.add('reference', `/proc/${config.referencePid}/ns`, 'E_ACCESS',
        `namespaces of the reference process ${config.referencePid} cannot be read; shared namespaces are unknown (set --host.reference-pid)`);
    }
    return ids;
  });

  // Kata configuration first: its valid_*_paths extend the executable allow-list used by discovery.
  let kata = await collect('kata_config', { summaries: [] as KataConfigSummary[], allowedExecutables: [] as string[] }, () => readKataConfigs(view, []));
  let discovery: Discovery = { sandboxes: [], candidates: 0, untrustedOmitted: 0 };
  let processesSeen = 0;
  const inspections = await collect('processes', [] as Array<{ sandbox: DiscoveredSandbox; inspection: SandboxInspection }>, () => {
    const table = readProcessTable(view);
    if (table === undefined) throw new Error(`cannot list ${config.roots.procfs}`);
    processesSeen = table.byPid.size;
    const anchors: TrustAnchors = {
      view,
      allowList: new ExecutableAllowList([...config.trustExePaths, ...kata.allowedExecutables]),
      bundleDirs: new BundleDirs(config.bundleDirs),
      identities: new FileIdentities(view, config.fixtureRoots || !view.isKernelProcfs()),
    };
    discovery = discoverSandboxes(view, table, anchors, state.processCache);
    // Shims started with KATA_CONF_FILE (old kata-deploy wrappers) point at the file really in use.
    const shimConfigs = new Set<string>();
    for (const sandbox of discovery.sandboxes) {
      if (!sandbox.trusted || !sandbox.shim) continue;
      // A process's environment is fixed at exec: read once per shim life.
      const stable = sandbox.shim.facts.stable;
      if (stable.kataConfFile === undefined) stable.kataConfFile = readEnvironVariable(view, sandbox.shim.facts.pid, 'KATA_CONF_FILE') ?? null;
      const conf = stable.kataConfFile;
      if (conf?.startsWith('/')) shimConfigs.add(conf);
    }
    if (shimConfigs.size > 0) kata = readKataConfigs(view, [...shimConfigs]);
    return discovery.sandboxes.map((sandbox) => ({ sandbox, inspection: inspectSandbox(view, sandbox, referenceNamespaces) }));
  });
  state.processCache.sweep();
  if (live) await collect('versions', undefined, () => addVersions(inspections.map((i) => i.inspection.sandbox), state.binaryVersions));

  // Which sandbox holds each VFIO group, from the /dev/vfio/<group> fds of its processes.
  const groupOwner = new Map<string, string>();
  for (const { sandbox, inspection } of inspections) {
    if (sandbox.trusted) for (const group of inspection.vfioGroups) groupOwner.set(group, sandbox.id);
  }
  const host: HostFacts = {
    kernelModules,
    iommu,
    vfioDevices: hostVfio.map((d) => ({ ...d, sandboxId: d.iommuGroup === null ? null : (groupOwner.get(d.iommuGroup) ?? null) })),
    cpuVulnerabilities,
    kataConfig: kata.summaries,
    referenceNamespaces,
    referencePid: config.referencePid,
  };

  // Every sandbox is judged first; the limit then keeps the most exposed trusted ones (never by id order, so
  // that no id a workload picks can push a real sandbox out), and look-alikes never count against it.
  const unjudged = inspections.map(({ inspection }) => inspection.sandbox);
  const verdicts = await collect('assess', { hostFindings: [], sandboxFindings: unjudged.map(() => []), scores: unjudged.map(() => 0), failures: [] }, () => assess({ node, host, sandboxes: unjudged }));
  for (const failure of verdicts.failures ?? []) errors.add('assess', null, 'E_INTERNAL', `rule ${failure.rule} failed: ${failure.message}`);
  const judged: Sandbox[] = unjudged.map((s, i) => ({ ...s, findings: verdicts.sandboxFindings[i] ?? [], exposureScore: verdicts.scores[i] ?? 0 }));
  const listed = limitTrusted(judged, config.maxSandboxes);
  const sandboxes = listed.kept;
  if (listed.omitted > 0) {
    errors.add('discover', null, 'E_LIMIT', `${listed.omitted} trusted sandboxes beyond --max-sandboxes=${config.maxSandboxes} were counted but not listed`);
  }
  if (discovery.untrustedOmitted > 0) {
    errors.add('discover', null, 'E_LIMIT', `${discovery.untrustedOmitted} further look-alike processes were counted but not listed`);
  }

  return {
    schemaVersion: SCHEMA_VERSION,
    generatedAt: new Date().toISOString(),
    node,
    host,
    sandboxes,
    findings: verdicts.hostFindings,
    errors: errors.toList(),
    limits: { sandboxesOmitted: listed.omitted, untrustedOmitted: discovery.untrustedOmitted },
    collectors,
    scan: {
      durationSeconds: Number(process.hrtime.bigint() - started) / 1e9,
      processesSeen,
      candidates: discovery.candidates,
      errorsByStage: Object.fromEntries([...errors.countsByStage.entries()].sort(([a], [b]) => compareCodeUnits(a, b))),
    },
  };
}

async function addVersions(sandboxes: SandboxInspection['sandbox'][], versions: BinaryVersions): Promise<void> {
  for (const sandbox of sandboxes) {
    if (!sandbox.trusted) continue; // never execute a look-alike's binary
    for (const process of sandbox.processes) {
      if ((process.role === 'vmm' || process.role === 'virtiofsd') && process.exe !== null && process.exeAllowed) {
        process.version = await versions.get(process.exe.replace(/ \(deleted\)$/, ''), process.pid);
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
