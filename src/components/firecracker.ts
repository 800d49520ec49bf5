// Firecracker and its jailer. The Go runtime's jailer (--daemonize) forks and execs Firecracker, which
// pivot_roots into <chroot-base>/firecracker/<id>/root: its exe link then reads "/firecracker" while the
// executed file is the jail's copy on the host (kata-on-the-host.md §3.3). Devices are in the VM config file
// the process names (opened only for a trusted sandbox) and in its fds.
import path from 'node:path';
import { firecrackerOf, jailerOf } from '../argv/parsed-argv.js';
import {
  firecrackerConfigCandidates,
  firecrackerConfigHostPath,
  firecrackerDefaultDevices,
  parseFirecrackerConfig,
} from '../argv/firecracker-args.js';
import { devicesFromFds, mergeDevices } from '../host/proc/fd-devices.js';
import { stripDeleted } from '../host/proc/exe-link.js';
import type { Device } from '../model/report.js';
import { exePathList, hasFlag } from './daemonized.js';
import { NO_HOTPLUG, type DeviceContext, type DeviceView, type ProcessComponent, type VmmComponent } from './types.js';

/** Jail roots the Go runtime (/run/vc) and runtime-rs (/run/kata) use for Firecracker. */
const JAIL_BASES = ['/run/vc/firecracker', '/run/kata/firecracker'];
const MAX_CONFIG_BYTES = 1024 * 1024;

export const FIRECRACKER_PROCESS: ProcessComponent = {
  kind: 'firecracker',
  role: 'vmm',
  vmm: 'firecracker',
  recognisesComm: (comm) => comm.startsWith('firecracker'),
  executables: [
    '/opt/kata/bin/firecracker*',
    '/usr/bin/firecracker',
    '/usr/local/bin/firecracker',
    // The jailer copies the binary into the jail and pivot_roots there, so the kernel shows the jail copy.
    '/run/vc/firecracker*/*/root/firecracker*',
    '/run/kata/firecracker*/*/root/firecracker*',
    '/firecracker',
  ],
  claimedId: (argv) => firecrackerOf(argv).id ?? null,
  daemonizedHostPaths: (argv, exe, claimedId) => {
    // The jailer execs Firecracker with the start-time flags it adds; one started otherwise is the shim's child.
    if (!argv.includes('--start-time-us')) return undefined;
    const exePath = exe === null ? null : stripDeleted(exe);
    const inJail = exePath === null ? [] : JAIL_BASES.map((base) => path.posix.join(base, claimedId, 'root', path.posix.basename(exePath)));
    return [...exePathList(exe), ...inJail];
  },
  // Kata's truncateID: the sandbox id cut to 32 characters, to fit sun_path.
  claimsTruncatedId: true,
  fdsNameDevices: () => true,
};

export const JAILER_PROCESS: ProcessComponent = {
  kind: 'jailer',
  role: 'jailer',
  vmm: 'firecracker',
  recognisesComm: (comm) => comm === 'jailer',
  executables: ['/opt/kata/bin/jailer', '/usr/bin/jailer', '/usr/local/bin/jailer'],
  claimedId: (argv) => jailerOf(argv).id,
  daemonizedHostPaths: (argv, exe) => (hasFlag(argv, '--daemonize') ? exePathList(exe) : undefined),
  claimsTruncatedId: true,
  fdsNameDevices: () => true,
};

function configCandidates(context: DeviceContext): string[] {
  const jailer = context.members.find((m) => m.role === 'jailer');
  const vmm = context.members.find((m) => m.role === 'vmm');
  const candidates: string[] = [];
  const fromJailer = jailer ? firecrackerConfigHostPath(jailerOf(jailer.facts.argv)) : null;
  if (fromJailer) candidates.push(fromJailer);
  if (vmm) candidates.push(...firecrackerConfigCandidates(firecrackerOf(vmm.facts.argv), vmm.facts.argv[0] ?? null, vmm.facts.exe));
  return candidates;
}

/** The devices of the config file, null when there is none to read (recorded). */
function configDevices(context: DeviceContext): Device[] | null {
  const candidates = configCandidates(context);
  const { files } = context;
  const found = candidates.find((file) => files.exists(file));
  if (!found) {
    if (candidates.length > 0) files.recordError('firecracker-config', candidates[0]!, 'E_MISSING', 'Firecracker config file not found under --path.rootfs; devices come from fds only');
    return null;
  }
  const text = files.readText(found, 'firecracker-config', MAX_CONFIG_BYTES);
  const parsed = text === undefined ? null : parseFirecrackerConfig(text);
  if (parsed && 'error' in parsed) files.recordError('firecracker-config', found, 'E_MALFORMED', `Firecracker config: ${parsed.error}`);
  else if (parsed) return parsed.devices;
  return null;
}

function firecrackerDevices(context: DeviceContext): DeviceView {
  // The config file is named by the process's argv: only a trusted sandbox's paths are ever opened.
  if (!context.trusted) return { devices: firecrackerDefaultDevices(), hotplug: { ...NO_HOTPLUG }, vfioGroups: [], dax: false };
  const vmm = context.members.find((m) => m.role === 'vmm');
  const fromFds = vmm ? devicesFromFds(vmm.facts.fds, 'firecracker', new Set()) : null;
  const devices = configDevices(context) ?? firecrackerDefaultDevices();
  // Firecracker has no CPU, memory or PCI hotplug: block "hotplug" PATCHes pre-attached placeholder drives.
  return { devices: mergeDevices(devices, fromFds?.devices ?? []), hotplug: { ...NO_HOTPLUG }, vfioGroups: fromFds?.vfioGroups ?? [], dax: false };
}

export const FIRECRACKER_VMM: VmmComponent = {
  vmm: 'firecracker',
  shortName: 'fc',
  displayName: 'Firecracker',
  devices: firecrackerDevices,
};
