// Cloud Hypervisor. Kata configures it over its REST API, so argv is nearly silent: Kata's defaults stand in,
// confirmed or extended by the fds the VMM holds.
import { cloudHypervisorOf } from '../argv/parsed-argv.js';
import { CLOUD_HYPERVISOR_KATA_HOTPLUG, cloudHypervisorDefaultDevices } from '../argv/cloud-hypervisor-args.js';
import { devicesFromFds, mergeDevices } from '../host/proc/fd-devices.js';
import type { DeviceView, ProcessComponent, VmmComponent } from './types.js';

export const CLOUD_HYPERVISOR_PROCESS: ProcessComponent = {
  kind: 'cloud-hypervisor',
  role: 'vmm',
  vmm: 'cloud-hypervisor',
  // "cloud-hypervisor" is cut to 15 bytes in comm.
  recognisesComm: (comm) => comm.startsWith('cloud-hyperviso'),
  executables: ['/opt/kata/bin/cloud-hypervisor*', '/usr/bin/cloud-hypervisor', '/usr/local/bin/cloud-hypervisor'],
  claimedId: (argv) => cloudHypervisorOf(argv).sandboxId,
  daemonizedHostPaths: () => undefined,
  claimsTruncatedId: false,
  fdsNameDevices: () => true,
};

export const CLOUD_HYPERVISOR_VMM: VmmComponent = {
  vmm: 'cloud-hypervisor',
  shortName: 'clh',
  displayName: 'Cloud Hypervisor',
  devices: ({ members, sharedFs }): DeviceView => {
    const vmm = members.find((m) => m.role === 'vmm');
    const args = vmm ? cloudHypervisorOf(vmm.facts.argv) : null;
    const fromFds = vmm ? devicesFromFds(vmm.facts.fds, 'cloud-hypervisor', new Set()) : null;
    const base = mergeDevices([...cloudHypervisorDefaultDevices(), ...sharedFs], args?.devices ?? []);
    return { devices: mergeDevices(base, fromFds?.devices ?? []), hotplug: { ...CLOUD_HYPERVISOR_KATA_HOTPLUG }, vfioGroups: fromFds?.vfioGroups ?? [], dax: false };
  },
};
