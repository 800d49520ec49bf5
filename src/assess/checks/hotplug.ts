// Hotplug: what the inspector derived from the VMM's argv (maxcpus above the boot count, memory slots,
// hotplug-capable ports). Informational and low: Kata needs these to resize VMs and attach volumes, so the
// findings are there to be seen and weighed, not to page.

import type { RuleCheck } from '../types.js';
import type { CheckTable } from '../catalogue.js';
import { perSandbox, vmmLabel } from './vmm.js';

export const cpuMemoryHotplug: RuleCheck = (input) =>
  perSandbox(input, 'KATA-HOTPLUG-001', (sandbox) => {
    const kinds = [sandbox.hotplug.cpu ? 'CPU' : null, sandbox.hotplug.memory ? 'memory' : null].filter((k) => k !== null);
    if (kinds.length === 0) return [];
    return [`${vmmLabel(sandbox)} accepts ${kinds.join(' and ')} hotplug`];
  });

export const pciHotplug: RuleCheck = (input) =>
  perSandbox(input, 'KATA-HOTPLUG-002', (sandbox) =>
    sandbox.hotplug.pci ? [`${vmmLabel(sandbox)} exposes hotplug-capable PCI slots`] : []);

export const HOTPLUG_CHECKS = {
  'KATA-HOTPLUG-001': cpuMemoryHotplug,
  'KATA-HOTPLUG-002': pciHotplug,
} satisfies CheckTable;
