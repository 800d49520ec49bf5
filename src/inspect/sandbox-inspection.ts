// From the processes of one discovered sandbox to what the report says about it: device inventory with
// backends (argv, fds, config files, Kata defaults), hotplug, virtio-fs confinement, per-process hardening.
import type { DiscoveredSandbox, Member } from '../discover/discover.js';
import { readPodIdentity } from './pod-identity.js';
import { seccompModeOf, summariseProcess } from './process-summary.js';
import type { HostView } from '../host/host-view.js';
import type { Device, NamespaceKind, Sandbox, VirtiofsState } from '../model/report.js';
import { virtiofsdOf } from '../argv/parsed-argv.js';
import { vmmComponent } from '../components/registry.js';
import type { DeviceView, HostFiles } from '../components/types.js';

export interface SandboxInspection {
  sandbox: Omit<Sandbox, 'findings' | 'exposureScore'>;
  /** VFIO groups held open by the sandbox's processes: attributes host VFIO devices to it. */
  vfioGroups: string[];
  /** VFIO cdevs (`vfio3`) held open: attributes host devices bound through IOMMUFD. */
  vfioCdevs: string[];
}

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
      confidential: deviceView.confidential ?? null,
      placement: discovered.placement,
    },
    vfioGroups: deviceView.vfioGroups,
    vfioCdevs: deviceView.vfioCdevs ?? [],
  };
}

/** The sandbox's VMM component finds its devices; the engine only supplies the host files it may read. */
function devicesOf(view: HostView, sandbox: DiscoveredSandbox, hasVirtiofsd: boolean): DeviceView {
  const sharedFs: Device[] = hasVirtiofsd ? [{ class: 'fs', backend: 'vhost-user', id: null, source: 'default' }] : [];
  return vmmComponent(sandbox.vmm).devices({ members: sandbox.members, shim: sandbox.shim, trusted: sandbox.trusted, sharedFs, files: hostFilesOf(view) });
}

function hostFilesOf(view: HostView): HostFiles {
  return {
    exists: (hostPath) => view.exists('root', hostPath),
    readText: (hostPath, stage, maxBytes) => view.readText('root', hostPath, { stage, maxBytes }),
    recordError: (stage, hostPath, code, message) => view.errors.add(stage, hostPath, code, message),
  };
}

/**
 * virtiofsd's confinement from its flags and from what is observed. Namespace mode shows as a waiting
 * parent plus a child that is PID 1 of a new pid namespace (NSpid with two values); it forks only when its
 * VMM connects, so a lone namespace-mode daemon is `pending`. Chroot mode shows as a root link that is not "/".
 */
function virtiofsStateOf(view: HostView, members: readonly Member[], dax: boolean): VirtiofsState {
  const first = members[0]!;
  if (first.kind === 'nydusd') return nydusdStateOf(view, members, dax);
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
    daemon: 'virtiofsd',
  };
}

/**
 * nydusd has no sandbox, seccomp or capability option (kata-4x-on-the-host.md §6), so it declares `none` for
 * both; what is observed still decides, so a nydusd some wrapper did confine (a new pid namespace, a root that
 * is not "/") is reported as such. Its shared directory is not in argv (passthrough of the sandbox's tree).
 */
function nydusdStateOf(view: HostView, members: readonly Member[], dax: boolean): VirtiofsState {
  const worker = members.find((m) => (m.facts.status?.nspid.length ?? 0) > 1) ?? members[members.length - 1]!;
  let mode: VirtiofsState['sandbox'];
  if ((worker.facts.status?.nspid.length ?? 0) > 1) {
    mode = 'namespace';
  } else {
    const root = view.readLink('proc', `${worker.facts.pid}/root`, { stage: 'process', processFile: true });
    mode = root === undefined || worker.facts.status === null ? 'unknown' : root !== '/' ? 'chroot' : 'none';
  }
  return {
    sandbox: mode,
    seccomp: seccompModeOf(worker.facts.status?.seccomp),
    cache: null,
    dax,
    declaredSandbox: 'none',
    declaredSeccomp: 'none',
    sharedDir: null,
    implementation: 'unknown',
    daemon: 'nydusd',
  };
}
