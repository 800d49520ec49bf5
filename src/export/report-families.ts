// Report -> metric families: the metrics contract of the README ("Metrics"), as a pure function.
// Every family is rebuilt from one Report, so a sandbox that is gone from the report is gone from the
// output (no stale label sets); known label sets (vmm, severity, hotplug resource, scan stage) are
// pre-initialised to 0 so that alerts compare numbers instead of guessing at missing series.
import {
  SEVERITIES,
  VMM_KINDS,
  type Finding,
  type Report,
  type Sandbox,
} from '../model/report.js';
import { FamilyBuilder, sortFamilies, type Family } from './metric-family.js';
import { ProcessFamilies } from './process-families.js';

export interface BuildInfo {
  version: string;
  revision: string;
  nodejs: string;
}

export interface MetricsOptions {
  /** false: node-level aggregates only, no sandbox_id label anywhere (--metrics.per-sandbox=false). */
  perSandbox: boolean;
  buildInfo: BuildInfo;
  /** Scheduler counters since start; absent in one-shot renderings (textfile tests, `scan`). */
  scans?: { total: number; failures: number };
  /** The --policy.file's reloads (serve with a policy file only). */
  policyReloads?: { reloadFailures: number; lastReloadSuccess: boolean };
}

/** Stages the scan records errors under (src/host, src/discover, src/scan.ts); pre-initialised to 0. */
export const KNOWN_SCAN_STAGES = [
  'assess', 'cpu', 'discover', 'firecracker-config', 'internal', 'iommu', 'kata-config', 'kernel-modules', 'node', 'pod',
  'process', 'processes', 'reference', 'scan', 'tee', 'trust', 'vfio',
] as const;

const P = 'kata_audit_';

export function reportFamilies(report: Report, options: MetricsOptions): Family[] {
  const labelled = pickLabelled(report.sandboxes);
  const families: Family[] = [
    ...buildAndScanFamilies(options, true),
    ...nodeFamilies(report, labelled, options.perSandbox),
    ...scanFamilies(report),
    ...policyFamilies(report),
    ...(options.perSandbox ? sandboxFamilies(report, labelled) : aggregateFamilies(report, labelled.trusted)),
  ];
  return sortFamilies(families);
}

/** What is left to say when the scan threw as a whole (e.g. the procfs root vanished): scan_success 0. */
export function unavailableFamilies(options: MetricsOptions): Family[] {
  return sortFamilies(buildAndScanFamilies(options, false));
}

function buildAndScanFamilies(options: MetricsOptions, success: boolean): Family[] {
  const { version, revision, nodejs } = options.buildInfo;
  const families = [
    new FamilyBuilder(`${P}build_info`, 'Build of this agent (package.json version, image revision, Node.js runtime); always 1.', ['version', 'revision', 'nodejs'])
      .set([version, revision, nodejs], 1).build(),
    new FamilyBuilder(`${P}scan_success`, 'Whether the scan behind this exposition produced a report (1) or failed as a whole (0); parts that failed show in kata_audit_collector_success.')
      .set([], success ? 1 : 0).build(),
  ];
  if (options.scans) {
    families.push(
      new FamilyBuilder(`${P}scans_total`, 'Scans run since the agent started; scrapes within --scan.min-interval share one scan.', [], 'counter')
        .set([], options.scans.total).build(),
      new FamilyBuilder(`${P}scan_failures_total`, 'Scans since the agent started that failed as a whole (kata_audit_scan_success 0).', [], 'counter')
        .set([], options.scans.failures).build(),
    );
  }
  if (options.policyReloads) families.push(...policyReloadFamilies(options.policyReloads));
  return families;
}

function policyReloadFamilies(reloads: NonNullable<MetricsOptions['policyReloads']>): Family[] {
  return [
    new FamilyBuilder(`${P}policy_reload_failures_total`, 'Reloads of the --policy.file refused since the agent started (the file changed and does not load; the last good policy stays in force).', [], 'counter')
      .set([], reloads.reloadFailures).build(),
    new FamilyBuilder(`${P}policy_last_reload_success`, 'Whether the last load of the --policy.file (at start or after a change) succeeded (1) or the last good policy is still in force (0).')
      .set([], reloads.lastReloadSuccess ? 1 : 0).build(),
  ];
}

/** "true" when a policy entry acknowledges the finding (it never pages), else "false". */
function acknowledgedLabel(finding: Finding): string {
  return finding.acknowledgement ? 'true' : 'false';
}

/**
 * One series per policy entry (the file holds at most 500; rule and owner are validated at load to a short
 * safe charset), so an alert can warn before an acknowledgement runs out and a dashboard can list the next ones.
 */
function policyFamilies(report: Report): Family[] {
  if (!report.policy) return [];
  const labels = ['entry', 'rule', 'owner'];
  const expiry = new FamilyBuilder(`${P}acknowledgement_expiry_timestamp_seconds`, 'When an entry of the --policy.file runs out, in seconds since the epoch (a date-only entry holds through the end of that day, UTC: 23:59:59); entry is its position in the file, from 0.', labels);
  const matched = new FamilyBuilder(`${P}acknowledgement_findings`, 'Findings of the last scan that an entry of the --policy.file acknowledges (0 when it has expired or matches nothing here).', labels);
  for (const e of report.policy.entries) {
    const values = [String(e.index), e.rule, e.owner];
    // A date-only entry reads ...T23:59:59Z: the last second of its day.
    const at = Date.parse(e.expires);
    expiry.set(values, Number.isFinite(at) ? at / 1000 : 0);
    matched.set(values, e.matched);
  }
  return [expiry.build(), matched.build()];
}

interface Labelled {
  trusted: Sandbox[];
  untrusted: Sandbox[];
  /** Ids of the trusted sandboxes that get per-sandbox series (a look-alike may claim one of them). */
  trustedIds: Set<string>;
}

/**
 * The sandboxes that get labels: all the report lists (the scan already caps them at --max-sandboxes and counts
 * the rest in limits), most exposed first and ties by id, so the order is stable from scrape to scrape.
 */
function pickLabelled(sandboxes: readonly Sandbox[]): Labelled {
  const order = (a: Sandbox, b: Sandbox): number => b.exposureScore - a.exposureScore || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const trusted = sandboxes.filter((s) => s.trusted).sort(order);
  const untrusted = sandboxes.filter((s) => !s.trusted).sort(order);
  return { trusted, untrusted, trustedIds: new Set(trusted.map((s) => s.id)) };
}

function nodeFamilies(report: Report, labelled: Labelled, perSandbox: boolean): Family[] {
  const { node, host, limits } = report;
  const sandboxes = new FamilyBuilder(`${P}sandboxes`, 'Trusted Kata sandboxes found in /proc (exe on the allowed list, Kata shim ancestor), by VMM; those beyond --max-sandboxes are in kata_audit_sandboxes_omitted.', ['vmm']);
  for (const vmm of VMM_KINDS) sandboxes.zero([vmm]);
  for (const sandbox of labelled.trusted) sandboxes.inc([sandbox.vmm]);

  const modules = new FamilyBuilder(`${P}kernel_module_loaded`, 'Whether a kernel module that matters to Kata exposure is present, from /proc/modules and /sys/module/<name> (builtin="true": compiled in).', ['module', 'builtin']);
  for (const module of host.kernelModules) modules.set([module.name, String(module.state === 'builtin')], module.state === 'absent' ? 0 : 1);

  const vfioLabels = perSandbox ? ['address', 'iommu_group', 'vendor_id', 'device_id', 'sandbox_id'] : ['address', 'iommu_group', 'vendor_id', 'device_id'];
  const vfioHelp = 'PCI device bound to vfio-pci, from /sys/bus/pci/devices/<address>/{driver,iommu_group,vendor,device}';
  const vfio = new FamilyBuilder(`${P}vfio_device_info`, perSandbox ? `${vfioHelp}; sandbox_id from the /dev/vfio/<group> fds of its VMM ("" when none holds it); always 1.` : `${vfioHelp}; always 1.`, vfioLabels);
  const viable = new FamilyBuilder(`${P}vfio_group_viable`, 'Whether every device of the IOMMU group (/sys/kernel/iommu_groups/<group>/devices) is bound to vfio-pci or to no driver, bridges aside.', ['iommu_group']);
  const groups = new Map<string, boolean>();
  for (const device of host.vfioDevices) {
    const values = [device.address, device.iommuGroup ?? '', device.vendorId ?? '', device.deviceId ?? ''];
    if (perSandbox) values.push(device.sandboxId !== null && labelled.trustedIds.has(device.sandboxId) ? device.sandboxId : '');
    vfio.set(values, 1);
    // A group is viable only if every listed device of it says so.
    if (device.iommuGroup !== null) groups.set(device.iommuGroup, (groups.get(device.iommuGroup) ?? true) && device.groupViable);
  }
  for (const [group, ok] of groups) viable.set([group], ok ? 1 : 0);

  const cpu = new FamilyBuilder(`${P}cpu_vulnerability_info`, 'CPU vulnerability state from /sys/devices/system/cpu/vulnerabilities/<name>; always 1.', ['name', 'status']);
  for (const v of host.cpuVulnerabilities) cpu.set([v.name, v.status], 1);

  const findings = new FamilyBuilder(`${P}findings`, 'Active findings of the last scan (host and listed sandboxes), by severity and state (acknowledged: accepted by an unexpired entry of the --policy.file; open: the rest).', ['severity', 'state']);
  for (const severity of SEVERITIES) findings.zero([severity, 'open']).zero([severity, 'acknowledged']);
  for (const finding of allFindings(report)) findings.inc([finding.severity, finding.acknowledgement ? 'acknowledged' : 'open']);

  return [
    new FamilyBuilder(`${P}node_info`, 'The node: kernel release from /proc/sys/kernel/osrelease, os from /etc/os-release PRETTY_NAME ("" when unknown); always 1.', ['kernel_release', 'os'])
      .set([node.kernelRelease ?? '', node.os ?? ''], 1).build(),
    sandboxes.build(),
    new FamilyBuilder(`${P}sandboxes_omitted`, 'Trusted sandboxes counted but not labelled: beyond --max-sandboxes.')
      .set([], limits.sandboxesOmitted).build(),
    new FamilyBuilder(`${P}untrusted_sandboxes`, 'Look-alike sandboxes (a VMM-like process that fails the trust checks on exe, uid or shim ancestry) listed in the report.')
      .set([], labelled.untrusted.length).build(),
    new FamilyBuilder(`${P}untrusted_omitted`, 'Look-alike processes counted but not labelled, beyond the cap on untrusted sandboxes.')
      .set([], limits.untrustedOmitted).build(),
    modules.build(),
    new FamilyBuilder(`${P}iommu_enabled`, 'Whether an IOMMU is active: entries under /sys/class/iommu or /sys/kernel/iommu_groups.')
      .set([], host.iommu.enabled ? 1 : 0).build(),
    new FamilyBuilder(`${P}vfio_unsafe_interrupts_enabled`, 'Whether /sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts is Y.')
      .set([], host.iommu.vfioUnsafeInterrupts ? 1 : 0).build(),
    new FamilyBuilder(`${P}vfio_noiommu_enabled`, 'Whether /sys/module/vfio/parameters/enable_unsafe_noiommu_mode is Y.')
      .set([], host.iommu.vfioNoIommu ? 1 : 0).build(),
    vfio.build(),
    viable.build(),
    cpu.build(),
    findings.build(),
  ];
}

function scanFamilies(report: Report): Family[] {
  const errors = new FamilyBuilder(`${P}scan_errors`, 'Errors recorded by the last scan (unreadable, vanished or malformed /proc and /sys files), by pipeline stage (all of them, also beyond the 500 that /report.json lists).', ['stage']);
  for (const stage of KNOWN_SCAN_STAGES) errors.zero([stage]);
  // errorsByStage counts every error, also those beyond the 500 listed in /report.json.
  for (const [stage, count] of Object.entries(report.scan.errorsByStage ?? {})) errors.set([stage], count);

  const success = new FamilyBuilder(`${P}collector_success`, 'Whether a part of the last scan succeeded (1) or threw and was skipped (0).', ['collector']);
  const duration = new FamilyBuilder(`${P}collector_duration_seconds`, 'Wall time of a part of the last scan.', ['collector']);
  for (const collector of report.collectors) {
    success.set([collector.name], collector.success ? 1 : 0);
    duration.set([collector.name], collector.durationSeconds);
  }
  const generated = Date.parse(report.generatedAt);
  return [
    errors.build(),
    success.build(),
    duration.build(),
    new FamilyBuilder(`${P}scan_duration_seconds`, 'Wall time of the last scan.').set([], report.scan.durationSeconds).build(),
    new FamilyBuilder(`${P}last_scan_timestamp_seconds`, 'When the last scan finished (the report\'s generatedAt), in seconds since the epoch.')
      .set([], Number.isFinite(generated) ? generated / 1000 : 0).build(),
  ];
}

/** "true", "false" (a look-alike or orphan) or "unknown" (trust could not be read: not evidence, never pages). */
function trustedLabel(sandbox: Sandbox): string {
  return sandbox.trusted ? 'true' : sandbox.trust === 'unknown' ? 'unknown' : 'false';
}

function sandboxFamilies(report: Report, labelled: Labelled): Family[] {
  const info = new FamilyBuilder(`${P}sandbox_info`, 'A sandbox: id from the shim -id / VMM argv, pod identity from the OCI bundle annotations or the pod cgroup ("" when unknown), trusted ("true", "false", or "unknown" when the agent could not read the trust anchors) per the exe, uid, bundle and shim-ancestry checks; always 1; untrusted ids carry an "untrusted:" or "unverified:" prefix, so they never collide with a trusted one. Join on sandbox_id for pod names.', ['sandbox_id', 'vmm', 'pod_uid', 'pod_name', 'pod_namespace', 'trusted']);
  for (const s of [...labelled.trusted, ...labelled.untrusted]) {
    info.set([s.id, s.vmm, s.pod.uid ?? '', s.pod.name ?? '', s.pod.namespace ?? '', trustedLabel(s)], 1);
  }

  const devices = new FamilyBuilder(`${P}sandbox_devices`, 'Devices of the sandbox by class and where their backend runs (vmm, vhost-kernel, vhost-user, passthrough, in-process), from the VMM argv and its /proc/<pid>/fd.', ['sandbox_id', 'class', 'backend']);
  const hotplug = new FamilyBuilder(`${P}sandbox_hotplug_enabled`, 'Whether the VMM was started with room to hot-plug the resource (QEMU maxcpus/slots, PCIe root ports; CH/FC equivalents), from its argv.', ['sandbox_id', 'resource']);
  const score = new FamilyBuilder(`${P}sandbox_exposure_score`, 'Exposure score of the sandbox, 0 (fenced) to 100, from the active findings (see the rule catalogue).', ['sandbox_id']);
  const processes = new ProcessFamilies();
  const virtiofsInfo = new FamilyBuilder(`${P}virtiofs_info`, 'virtiofsd of the sandbox: sandbox mode (namespace, chroot, none) and seccomp as observed in /proc/<pid>/status and its root link and namespaces, cache mode from its argv; always 1.', ['sandbox_id', 'sandbox', 'seccomp', 'cache']);
  const dax = new FamilyBuilder(`${P}virtiofs_dax_enabled`, 'Whether virtio-fs DAX is on (a shared memory window of host pages), from the VMM and virtiofsd argv.', ['sandbox_id']);
  const finding = new FamilyBuilder(`${P}finding`, 'An active finding; sandbox_id is "" for host findings; acknowledged="true" when an unexpired entry of the --policy.file accepts it (alerts page on "false" only). Evidence and remediation are in /report.json and on the landing page; always 1.', ['rule', 'severity', 'sandbox_id', 'acknowledged']);

  for (const s of labelled.trusted) {
    for (const device of s.devices) devices.inc([s.id, device.class, device.backend]);
    hotplug.set([s.id, 'cpu'], s.hotplug.cpu ? 1 : 0).set([s.id, 'memory'], s.hotplug.memory ? 1 : 0).set([s.id, 'pci'], s.hotplug.pci ? 1 : 0);
    score.set([s.id], s.exposureScore);
    processes.add(s);
    if (s.virtiofs !== null) {
      virtiofsInfo.set([s.id, s.virtiofs.sandbox, s.virtiofs.seccomp, s.virtiofs.cache ?? ''], 1);
      dax.set([s.id], s.virtiofs.dax ? 1 : 0);
    }
  }
  // Findings of look-alikes are kept: a process posing as a VMM is itself the thing to alert on, and the
  // untrusted cap bounds these series like kata_audit_sandbox_info.
  const shown = [...report.findings, ...[...labelled.trusted, ...labelled.untrusted].flatMap((s) => s.findings)];
  for (const f of shown) finding.set([f.rule, f.severity, f.sandboxId ?? '', acknowledgedLabel(f)], 1);

  return [info.build(), devices.build(), hotplug.build(), score.build(), ...processes.build(), virtiofsInfo.build(), dax.build(), finding.build()];
}

function aggregateFamilies(report: Report, trusted: readonly Sandbox[]): Family[] {
  const devices = new FamilyBuilder(`${P}node_devices`, 'Devices of all trusted sandboxes on the node, by class and backend (the per-sandbox view is off: --metrics.per-sandbox=false).', ['class', 'backend']);
  for (const s of trusted) for (const device of s.devices) devices.inc([device.class, device.backend]);
  const findings = new FamilyBuilder(`${P}node_findings`, 'Active findings on the node (host and sandboxes), by rule, severity and whether the --policy.file acknowledges them (the per-sandbox view is off: --metrics.per-sandbox=false).', ['rule', 'severity', 'acknowledged']);
  for (const f of allFindings(report)) findings.inc([f.rule, f.severity, acknowledgedLabel(f)]);
  return [devices.build(), findings.build()];
}

function allFindings(report: Report): Finding[] {
  return [...report.findings, ...report.sandboxes.flatMap((s) => s.findings)];
}

