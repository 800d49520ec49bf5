// The threat model of one sandbox as data, before any drawing: Kata's picture of the guest, its virtio devices
// and where each device's backend runs (the VMM process, a vhost-user daemon, the host kernel, passed-through
// hardware behind the IOMMU), each host component with how it is confined, and each finding on the component it
// concerns. threat-model-svg.ts draws it; tests assert on this shape, not on coordinates.
import type { Device, DeviceBackend, DeviceClass, Finding, HostFacts, Sandbox } from '../model/report.js';
import { labelOfSandbox, type SandboxLabel } from './sandbox-label.js';
import { confinementOf, type Confinement } from './confinement.js';
import { severityRank } from '../model/severity.js';

export type ComponentKind = 'vmm' | 'vhost-user' | 'kernel' | 'hardware';
export type Band = 'user' | 'kernel' | 'hardware';

export interface DeviceGroup { class: DeviceClass; backend: DeviceBackend; count: number; ids: string[] }

export interface Component {
  key: string;
  kind: ComponentKind;
  band: Band;
  title: string;
  /** Facts shown under the title (process, modes); already plain text, escaped when drawn. */
  notes: string[];
  confinement: Confinement;
  /** The devices whose backend runs here. */
  devices: DeviceGroup[];
  findings: Finding[];
}

export interface ThreatModel {
  label: SandboxLabel;
  vmm: Sandbox['vmm'];
  /** "pod <namespace>/<name>", "pod uid <uid>" or "pod unknown": for a look-alike, the pod its cgroup names. */
  pod: string;
  /** Drawn as columns: each device sits above the component that serves it. */
  columns: Component[];
  /** Under the first column, in the hardware band: flaws that cross every VM boundary on the node. */
  cpu: Component;
  /** The guest/VMM boundary: what can be hot-plugged through it. */
  hotplug: { enabled: string[]; findings: Finding[] };
  /** Findings about the sandbox as a whole (TRUST, and any area without a component). */
  sandboxFindings: Finding[];
}

export interface ThreatModelInput {
  sandbox: Sandbox;
  host: HostFacts;
  /** Host-level findings (report.findings); shown on trusted sandboxes only. */
  hostFindings: readonly Finding[];
}

export function buildThreatModel({ sandbox, host, hostFindings }: ThreatModelInput): ThreatModel {
  const label = labelOfSandbox(sandbox);
  const columns = [vmmComponent(sandbox), ...daemonComponents(sandbox), kernelComponent(sandbox, host)];
  const passthrough = hardwareComponent(sandbox, host);
  if (passthrough) columns.push(passthrough);
  const cpu: Component = {
    key: 'cpu', kind: 'hardware', band: 'hardware', title: 'CPU', devices: [], findings: [],
    notes: [`${host.cpuVulnerabilities.filter((v) => v.status === 'vulnerable').length} flaw(s) reported vulnerable`],
    confinement: { level: 'none', checks: [] },
  };
  const model: ThreatModel = {
    label, vmm: sandbox.vmm, pod: podText(sandbox.pod), columns, cpu,
    hotplug: { enabled: hotplugList(sandbox.hotplug), findings: [] },
    sandboxFindings: [],
  };
  placeDevices(model, sandbox.devices);
  // A look-alike is judged by the TRUST rules only; the host's findings are not its exposure.
  const findings = label.trust === 'trusted' ? [...sandbox.findings, ...hostFindings] : sandbox.findings;
  for (const finding of findings) placeFinding(model, finding);
  return model;
}

function podText(pod: Sandbox['pod']): string {
  if (pod.name !== null) return `pod ${pod.namespace ?? '?'}/${pod.name}`;
  return pod.uid !== null ? `pod uid ${pod.uid}` : 'pod unknown';
}

function hotplugList(hotplug: Sandbox['hotplug']): string[] {
  return [hotplug.cpu ? 'CPU' : null, hotplug.memory ? 'memory' : null, hotplug.pci ? 'PCI' : null].filter((x): x is string => x !== null);
}

function vmmComponent(sandbox: Sandbox): Component {
  const vmm = sandbox.processes.find((p) => p.role === 'vmm');
  // Dragonball is a library inside the runtime-rs shim: the shim process is the VMM.
  const process = vmm ?? (sandbox.vmm === 'dragonball' ? sandbox.processes.find((p) => p.role === 'shim') : undefined);
  // Peer pods: the VM runs elsewhere by design, so "process not seen" would read as a fault.
  const remote = !vmm && sandbox.placement === 'remote';
  const title = vmm ? `VMM: ${sandbox.vmm}` : process ? 'VMM: dragonball, in the shim' : remote ? 'VMM: remote, not on this node' : `VMM: ${sandbox.vmm} (process not seen)`;
  return {
    key: 'vmm', kind: 'vmm', band: 'user', title, devices: [], findings: [],
    notes: process ? [`pid ${process.pid} ${process.comm}`] : remote ? ['peer pod: cloud-api-adaptor runs the VM elsewhere'] : [],
    confinement: confinementOf(process ?? null),
  };
}

/**
 * virtiofsd's serving process, chosen as the inspection chooses it: in namespace mode the child that is PID 1
 * of its own pid namespace (the parent only waits), otherwise the last one listed.
 */
/** "virtiofsd (rust)", or "nydusd": the program in the file-sharing role (VirtiofsState.daemon). */
function fsDaemonTitle(fs: Sandbox['virtiofs']): string {
  if (fs === null) return 'virtiofsd';
  return fs.daemon === 'nydusd' ? 'nydusd' : `virtiofsd (${fs.implementation})`;
}

function daemonComponents(sandbox: Sandbox): Component[] {
  const out: Component[] = [];
  const members = sandbox.processes.filter((p) => p.role === 'virtiofsd');
  const fs = sandbox.virtiofs;
  const servesFs = sandbox.devices.some((d) => d.class === 'fs' && d.backend === 'vhost-user');
  if (members.length > 0 || servesFs || (fs !== null && fs.implementation !== 'inline')) {
    const worker = members.find((p) => p.nspid.length > 1) ?? members[members.length - 1] ?? null;
    const notes = worker ? [`pid ${worker.pid} ${worker.comm}${members.length > 1 ? ` (+${members.length - 1})` : ''}`] : ['process not seen'];
    if (fs) notes.push(`sandbox ${fs.sandbox}, cache ${fs.cache ?? 'default'}${fs.dax ? ', DAX' : ''}`);
    out.push({ key: 'virtiofsd', kind: 'vhost-user', band: 'user', title: fsDaemonTitle(fs), notes, devices: [], findings: [], confinement: confinementOf(worker) });
  }
  if (sandbox.devices.some((d) => d.backend === 'vhost-user' && d.class !== 'fs')) {
    // A vhost-user backend other than virtio-fs (e.g. OVS-DPDK for vhost-user-net) runs outside the sandbox's
    // process tree: the agent does not see which process it is.
    out.push({ key: 'vhost-user', kind: 'vhost-user', band: 'user', title: 'vhost-user daemon', notes: ['outside the sandbox tree'], devices: [], findings: [], confinement: confinementOf(null) });
  }
  return out;
}

function kernelComponent(sandbox: Sandbox, host: HostFacts): Component {
  const served = sandbox.devices.some((d) => d.backend === 'vhost-kernel');
  const loaded = host.kernelModules.filter((m) => m.state !== 'absent' && /^vhost_(net|vsock|scsi|vdpa)$/.test(m.name)).map((m) => m.name);
  return {
    key: 'kernel', kind: 'kernel', band: 'kernel', title: 'host kernel', devices: [], findings: [],
    notes: [served ? 'guest drives kernel code' : 'no in-kernel backend', loaded.length > 0 ? `loaded: ${loaded.join(', ')}` : 'no vhost module loaded'],
    // Nothing confines kernel code: a backend placed here is the riskiest tier of the threat model.
    confinement: { level: served ? 'kernel-exposed' : 'none', checks: [] },
  };
}

function hardwareComponent(sandbox: Sandbox, host: HostFacts): Component | null {
  if (!sandbox.devices.some((d) => d.backend === 'passthrough')) return null;
  const addresses = host.vfioDevices.filter((d) => d.sandboxId === sandbox.id).map((d) => d.address);
  return {
    key: 'passthrough', kind: 'hardware', band: 'hardware', title: 'passed-through device', devices: [], findings: [],
    notes: [`IOMMU ${host.iommu.enabled ? 'on' : 'OFF'}`, ...(addresses.length > 0 ? [addresses.join(', ')] : [])],
    confinement: { level: host.iommu.enabled && !host.iommu.vfioNoIommu ? 'none' : 'kernel-exposed', checks: [] },
  };
}

function componentForBackend(model: ThreatModel, device: Pick<Device, 'class' | 'backend'>): Component {
  const byKey = (key: string): Component | undefined => model.columns.find((c) => c.key === key);
  switch (device.backend) {
    case 'vhost-kernel': return byKey('kernel')!;
    case 'passthrough': return byKey('passthrough') ?? byKey('kernel')!;
    case 'vhost-user': return byKey(device.class === 'fs' ? 'virtiofsd' : 'vhost-user') ?? byKey('vmm')!;
    case 'vmm':
    case 'in-process': return byKey('vmm')!;
  }
}

function placeDevices(model: ThreatModel, devices: readonly Device[]): void {
  for (const device of devices) {
    const component = componentForBackend(model, device);
    const group = component.devices.find((g) => g.class === device.class && g.backend === device.backend);
    if (group) {
      group.count += 1;
      if (device.id !== null) group.ids.push(device.id);
    } else {
      component.devices.push({ class: device.class, backend: device.backend, count: 1, ids: device.id === null ? [] : [device.id] });
    }
  }
}

/** Riskiest first: where a finding about a device class goes when that class has several backends. */
const BACKEND_RISK: readonly DeviceBackend[] = ['vhost-kernel', 'passthrough', 'vhost-user', 'vmm', 'in-process'];
const AREA_CLASSES: Readonly<Record<string, readonly DeviceClass[]>> = { NET: ['net', 'vdpa'], VSOCK: ['vsock'], BLK: ['blk', 'scsi'] };

/** Where a rule area's findings are drawn, in words (for the rule pages); mirrors componentForFinding. */
export function placementOfArea(area: string): string {
  switch (area) {
    case 'NET':
    case 'VSOCK':
    case 'BLK': return 'on the component that runs the backend of those devices: the host kernel for vhost, the VMM when emulated';
    case 'VFS': return 'on the virtiofsd box (the vhost-user daemon)';
    case 'VMM': return 'on the VMM process box';
    case 'VFIO': return 'on the passed-through hardware, behind the IOMMU';
    case 'HOTPLUG': return 'on the guest/VMM boundary';
    case 'HOST':
    case 'CFG': return 'on the host kernel box of every trusted sandbox';
    case 'CPU': return 'on the CPU, in the hardware band of every trusted sandbox';
    default: return 'on the sandbox as a whole, next to its title';
  }
}

/** The component a rule area concerns (see the mapping in the README's landing-page section). */
export function componentForFinding(model: ThreatModel, finding: Pick<Finding, 'rule'>): Component | 'hotplug' | 'sandbox' {
  const area = /^KATA-([A-Z]+)-/.exec(finding.rule)?.[1] ?? '';
  const byKey = (key: string): Component | undefined => model.columns.find((c) => c.key === key);
  const classes = AREA_CLASSES[area];
  if (classes) {
    const groups = model.columns.flatMap((c) => c.devices.filter((g) => classes.includes(g.class)));
    const riskiest = BACKEND_RISK.find((b) => groups.some((g) => g.backend === b));
    // No such device listed: the rules of these areas are about in-kernel backends.
    return riskiest ? componentForBackend(model, { class: classes[0]!, backend: riskiest }) : byKey('kernel')!;
  }
  switch (area) {
    case 'VFS': return byKey('virtiofsd') ?? byKey('vmm')!;
    case 'VMM': return byKey('vmm')!;
    case 'VFIO': return byKey('passthrough') ?? byKey('kernel')!;
    case 'HOTPLUG': return 'hotplug';
    case 'HOST':
    case 'CFG': return byKey('kernel')!;
    case 'CPU': return model.cpu;
    default: return 'sandbox';
  }
}

function placeFinding(model: ThreatModel, finding: Finding): void {
  const target = componentForFinding(model, finding);
  const list = target === 'hotplug' ? model.hotplug.findings : target === 'sandbox' ? model.sandboxFindings : target.findings;
  // One chip per rule (the host's four KATA-CFG-001 findings are one thing to fix), showing the finding that
  // matters most: an active one over an acknowledged one, then the most severe.
  const index = list.findIndex((f) => f.rule === finding.rule);
  if (index < 0) list.push(finding);
  else if (outranks(finding, list[index]!)) list[index] = finding;
}

function outranks(a: Finding, b: Finding): boolean {
  const activeA = a.acknowledgement == null;
  const activeB = b.acknowledgement == null;
  if (activeA !== activeB) return activeA;
  return severityRank(a.severity) > severityRank(b.severity);
}

export function deviceLabel(group: DeviceGroup): string {
  const name = group.class === 'vfio' ? 'vfio device' : `virtio-${group.class}`;
  return `${name}${group.count > 1 ? ` ×${group.count}` : ''}`;
}

/** Where the backend of a device group runs, in Kata's words. */
export function backendName(group: Pick<DeviceGroup, 'class' | 'backend'>): string {
  switch (group.backend) {
    case 'vhost-kernel': return `vhost-${group.class === 'vdpa' ? 'vdpa' : group.class}`;
    case 'vhost-user': return `vhost-user-${group.class}`;
    case 'passthrough': return 'VFIO';
    case 'vmm': return 'emulated';
    case 'in-process': return 'inline';
  }
}
