// Dragonball: runtime-rs's built-in VMM, a library inside the shim. There is no VMM process: the shim's thread
// names show it, and its fds are the shim's.
import { devicesFromFds, mergeDevices } from '../host/proc/fd-devices.js';
import { DRAGONBALL_HOTPLUG, dragonballDefaultDevices, looksLikeDragonball } from './dragonball-devices.js';
import type { VmmComponent } from './types.js';

export const DRAGONBALL_VMM: VmmComponent = {
  vmm: 'dragonball',
  shortName: 'db',
  displayName: 'Dragonball',
  recognises: (members) => {
    const shim = members.find((m) => m.kind === 'shim');
    return shim !== undefined && looksLikeDragonball(shim.facts.threads.map((t) => t.comm ?? ''));
  },
  devices: ({ members, shim }) => {
    const holder = shim ?? members[0];
    const fromFds = holder ? devicesFromFds(holder.facts.fds, 'dragonball', new Set()) : null;
    const defaults = dragonballDefaultDevices(fromFds ? { devices: fromFds.devices, tapCount: fromFds.tapCount } : null);
    return { devices: mergeDevices(defaults, fromFds?.devices ?? []), hotplug: { ...DRAGONBALL_HOTPLUG }, vfioGroups: fromFds?.vfioGroups ?? [], dax: false };
  },
};
