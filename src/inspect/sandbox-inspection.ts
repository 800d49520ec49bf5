// From the processes of one discovered sandbox to what the report says about it: device inventory with
// backends (argv, fds, config files, Kata defaults), hotplug, virtio-fs confinement, per-process hardening.
import type { DiscoveredSandbox, Member } from '../discover/discover.js';
import { readPodIdentity } from './pod-identity.js';
import { seccompModeOf, summariseProcess } from './process-summary.js';
import type { HostView } from '../host/host-view.js';
import type { Device, NamespaceKind, Sandbox, VirtiofsState } from '../model/report.js';
import { CLOUD_HYPERVISOR_KATA_HOTPLUG, cloudHypervisorDefaultDevices } from '../argv/cloud-hypervisor-args.js';
import { DRAGONBALL_HOTPLUG, dragonballDefaultDevices } from './dragonball.js';
import { devicesFromFds, mergeDevices } from './fd-devices.js';
import { firecrackerConfigCandidates, firecrackerConfigHostPath, firecrackerDefaultDevices, parseFirecrackerConfig } from '../argv/firecracker-args.js';
import { cloudHypervisorOf, firecrackerOf, jailerOf, qemuOf, virtiofsdOf } from '../argv/parsed-argv.js';

export interface SandboxInspection {
  sandbox: Omit<Sandbox, 'findings' | 'exposureScore'>;
  /** VFIO groups held open by the sandbox's processes: attributes host VFIO devices to it. */
  vfioGroups: string[];
}

interface DeviceView {
  devices: Device[];
  hotplug: Sandbox['hotplug'];
  vfioGroups: string[];
  dax: boolean;
}

const NO_HOTPLUG = { cpu: false, memory: false, pci: false };

export function inspectSandbox(
  view: HostView,
  discovered: DiscoveredSandbox,
  reference: Partial<Record<NamespaceKind, string | null>>,
): SandboxInspection {
  const virtiofsds = discovered.members.filter((m) => m.role === 'virtiofsd');
  const deviceView = devicesOf(view, discovered, virtiofsds.length > 0);
  return {
    sandbox: {
      id: discovered.id,
      vmm: discovered.vmm,
      trusted: discovered.trusted,
      trust: discovered.trust,
      claimedId: discovered.claimedId,
      trustReasons: [...discovered.trustReasons],
      runtime: discovered.runtime,
      pod: readPodIdentity(view, discovered),
      processes: discovered.members.map((m) => summariseProcess(m, reference)),
      devices: deviceView.devices,
      hotplug: deviceView.hotplug,
      virtiofs: virtiofsds.length > 0 ? virtiofsStateOf(view, virtiofsds, deviceView.dax) : null,
    },
    vfioGroups: deviceView.vfioGroups,
  };
}

function devicesOf(view: HostView, sandbox: DiscoveredSandbox, hasVirtiofsd: boolean): DeviceView {
  const vmm = sandbox.members.find((m) => m.role === 'vmm');
  const sharedFs: Device[] = hasVirtiofsd ? [{ class: 'fs', backend: 'vhost-user', id: null, source: 'default' }] : [];
  switch (sandbox.vmm) {
    case 'qemu':
      return qemuDevices(sandbox.members.filter((m) => m.role === 'vmm'), sharedFs);
    case 'cloud-hypervisor': {
      const args = vmm ? cloudHypervisorOf(vmm.facts.argv) : null;
      const fromFds = vmm ? devicesFromFds(vmm.facts.fds, 'cloud-hypervisor', new Set()) : null;
      // Kata configures Cloud Hypervisor over its REST API: argv is silent, so Kata's defaults stand in.
      const base = mergeDevices([...cloudHypervisorDefaultDevices(), ...sharedFs], args?.devices ?? []);
      return { devices: mergeDevices(base, fromFds?.devices ?? []), hotplug: { ...CLOUD_HYPERVISOR_KATA_HOTPLUG }, vfioGroups: fromFds?.vfioGroups ?? [], dax: false };
    }
    case 'firecracker':
      // The config file is named by the process's argv: only a trusted sandbox's paths are ever opened.
      return sandbox.trusted ? firecrackerDevices(view, sandbox) : { devices: firecrackerDefaultDevices(), hotplug: NO_HOTPLUG, vfioGroups: [], dax: false };
    case 'dragonball': {
      // The VMM is a library inside the runtime-rs shim: its fds are the shim's.
      const shim = sandbox.shim ?? sandbox.members[0];
      const fromFds = shim ? devicesFromFds(shim.facts.fds, 'dragonball', new Set()) : null;
      const defaults = dragonballDefaultDevices(fromFds ? { devices: fromFds.devices, tapCount: fromFds.tapCount } : null);
      return { devices: mergeDevices(defaults, fromFds?.devices ?? []), hotplug: { ...DRAGONBALL_HOTPLUG }, vfioGroups: fromFds?.vfioGroups ?? [], dax: false };
    }
  }
}

/** Every QEMU of the sandbox contributes its devices: a second VMM must not hide the first one's. */
function qemuDevices(vmms: readonly Member[], sharedFs: Device[]): DeviceView {
  if (vmms.length === 0) return { devices: sharedFs, hotplug: NO_HOTPLUG, vfioGroups: [], dax: false };
  const out: DeviceView = { devices: [], hotplug: { ...NO_HOTPLUG }, vfioGroups: [], dax: false };
  for (const vmm of vmms) {
    const { inventory } = qemuOf(vmm.facts.argv);
    const fromFds = devicesFromFds(vmm.facts.fds, 'qemu', inventory.referencedFds, inventory.fdClaims);
    out.devices = mergeDevices(out.devices, mergeDevices(inventory.devices, fromFds.devices));
    out.hotplug = { cpu: out.hotplug.cpu || inventory.hotplug.cpu, memory: out.hotplug.memory || inventory.hotplug.memory, pci: out.hotplug.pci || inventory.hotplug.pci };
    out.vfioGroups.push(...fromFds.vfioGroups);
    out.dax ||= inventory.dax;
  }
  return out;
}

function firecrackerDevices(view: HostView, sandbox: DiscoveredSandbox): DeviceView {
  const jailer = sandbox.members.find((m) => m.role === 'jailer');
  const vmm = sandbox.members.find((m) => m.role === 'vmm');
  const candidates: string[] = [];
  if (jailer) {
    const fromJailer = firecrackerConfigHostPath(jailerOf(jailer.facts.argv));
    if (fromJailer) candidates.push(fromJailer);
  }
  if (vmm) candidates.push(...firecrackerConfigCandidates(firecrackerOf(vmm.facts.argv), vmm.facts.argv[0] ?? null, vmm.facts.exe));
  let configDevices: Device[] | null = null;
  const found = candidates.find((file) => view.exists('root', file));
  if (found) {
    const text = view.readText('root', found, { stage: 'firecracker-config', maxBytes: 1024 * 1024 });
    const parsed = text === undefined ? null : parseFirecrackerConfig(text);
    if (parsed && 'error' in parsed) view.errors.add('firecracker-config', found, 'E_MALFORMED', `Firecracker config: ${parsed.error}`);
    else if (parsed) configDevices = parsed.devices;
  } else if (candidates.length > 0) {
    view.errors.add('firecracker-config', candidates[0]!, 'E_MISSING', 'Firecracker config file not found under --path.rootfs; devices come from fds only');
  }
  const fromFds = vmm ? devicesFromFds(vmm.facts.fds, 'firecracker', new Set()) : null;
  configDevices ??= firecrackerDefaultDevices();
  // Firecracker has no CPU, memory or PCI hotplug: block "hotplug" PATCHes pre-attached placeholder drives.
  return { devices: mergeDevices(configDevices, fromFds?.devices ?? []), hotplug: NO_HOTPLUG, vfioGroups: fromFds?.vfioGroups ?? [], dax: false };
}

/**
 * virtiofsd's confinement from its flags and from what is observed. Namespace mode shows as a waiting
 * parent plus a child that is PID 1 of a new pid namespace (NSpid with two values); it forks only when its
 * VMM connects, so a lone namespace-mode daemon is `pending`. Chroot mode shows as a root link that is not "/".
 */
function virtiofsStateOf(view: HostView, members: readonly Member[], dax: boolean): VirtiofsState {
  const first = members[0]!;
  const args = virtiofsdOf(first.facts.argv, first.facts.exe);
  const sandboxedChild = members.find((m) => (m.facts.status?.nspid.length ?? 0) > 1);
  const worker = sandboxedChild ?? members[members.length - 1]!;
  let mode: VirtiofsState['sandbox'];
  if (sandboxedChild) {
    mode = 'namespace';
  } else {
    const root = view.readLink('proc', `${worker.facts.pid}/root`, { stage: 'process', processFile: true });
    if (root === undefined) mode = 'unknown';
    else if (root !== '/') mode = 'chroot';
    else if (args.declaredSandbox === 'none') mode = 'none';
    else if (worker.facts.status === null) mode = 'unknown';
    else mode = 'pending';
  }
  return {
    sandbox: mode,
    seccomp: seccompModeOf(worker.facts.status?.seccomp),
    cache: args.cache,
    dax,
    declaredSandbox: args.declaredSandbox,
    declaredSeccomp: args.declaredSeccomp,
    sharedDir: args.sharedDir,
    implementation: args.implementation,
  };
}
