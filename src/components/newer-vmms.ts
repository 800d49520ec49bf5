// VMMs Kata can run that the engine recognises by name and executable rather than mistaking them for
// look-alikes (kata-4x-on-the-host.md §3.4, §3.5): OpenVMM (runtime-rs, 4.1, configured over ttrpc) and
// StratoVirt (Go runtime only, gone from kata-deploy since 3.23). Neither names its devices in argv, so the
// fds the VMM holds are all the inventory there is.
import { devicesFromFds } from '../host/proc/fd-devices.js';
import { sandboxIdFromPath } from '../model/sandbox-id.js';
import type { VmmKind } from '../model/report.js';
import { NO_HOTPLUG, type DeviceContext, type DeviceView, type ProcessComponent, type VmmComponent } from './types.js';

/** The value after `flag` (separate element or `flag=value`), last occurrence. */
function optionValue(argv: readonly string[], flag: string): string | undefined {
  let value: string | undefined;
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === flag && i + 1 < argv.length) value = argv[++i];
    else if (arg.startsWith(`${flag}=`)) value = arg.slice(flag.length + 1);
  }
  return value;
}

export const OPENVMM_PROCESS: ProcessComponent = {
  kind: 'openvmm',
  role: 'vmm',
  vmm: 'openvmm',
  recognisesComm: (comm) => comm === 'openvmm',
  executables: ['/opt/kata/bin/openvmm', '/opt/kata-*/bin/openvmm', '/usr/bin/openvmm', '/usr/local/bin/openvmm'],
  // `--ttrpc /run/kata/<SID>/openvmm.sock` (openvmm/vmm_instance.rs).
  claimedId: (argv) => {
    const socket = optionValue(argv, '--ttrpc');
    return socket === undefined ? undefined : sandboxIdFromPath(socket);
  },
  daemonizedHostPaths: () => undefined,
  claimsTruncatedId: false,
  fdsNameDevices: () => true,
};

export const STRATOVIRT_PROCESS: ProcessComponent = {
  kind: 'stratovirt',
  role: 'vmm',
  vmm: 'stratovirt',
  recognisesComm: (comm) => comm.startsWith('stratovirt'),
  executables: ['/opt/kata/bin/stratovirt', '/usr/bin/stratovirt', '/usr/local/bin/stratovirt'],
  // `-name sandbox-<SID>` as QEMU spells it (virtcontainers/stratovirt.go).
  claimedId: (argv) => {
    const name = optionValue(argv, '-name');
    return name?.startsWith('sandbox-') ? name.slice('sandbox-'.length) : undefined;
  },
  daemonizedHostPaths: () => undefined,
  claimsTruncatedId: false,
  fdsNameDevices: () => true,
};

function fdOnlyDevices(vmm: VmmKind): (context: DeviceContext) => DeviceView {
  return ({ members, sharedFs }) => {
    const process = members.find((m) => m.role === 'vmm');
    const fromFds = process ? devicesFromFds(process.facts.fds, vmm, new Set()) : null;
    return { devices: [...sharedFs, ...(fromFds?.devices ?? [])], hotplug: { ...NO_HOTPLUG }, vfioGroups: fromFds?.vfioGroups ?? [], dax: false };
  };
}

export const OPENVMM_VMM: VmmComponent = { vmm: 'openvmm', shortName: 'openvmm', displayName: 'OpenVMM', devices: fdOnlyDevices('openvmm') };
export const STRATOVIRT_VMM: VmmComponent = { vmm: 'stratovirt', shortName: 'stratovirt', displayName: 'StratoVirt', devices: fdOnlyDevices('stratovirt') };

/**
 * Peer pods (kata-4x-on-the-host.md §10): the VM runs elsewhere and the node has only the shim, which talks to
 * cloud-api-adaptor. No process shows it, so discovery decides it (see remote.ts) and no device is local.
 */
export const REMOTE_VMM: VmmComponent = {
  vmm: 'remote',
  shortName: 'remote',
  displayName: 'remote hypervisor (peer pods)',
  devices: () => ({ devices: [], hotplug: { ...NO_HOTPLUG }, vfioGroups: [], dax: false }),
};
