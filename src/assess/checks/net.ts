// Network backends. vhost-net and vhost-vdpa are both "vhost-kernel" to the inspector; the vDPA one is told
// apart by its class or its device node, because its kernel path (vendor vDPA driver) differs from vhost-net.

import type { Device } from '../../report/types.js';
import type { RuleCheck } from '../types.js';
import { describeDevices, perSandbox, plural, vmmLabel } from './vmm.js';

export function isVhostVdpa(device: Device): boolean {
  return device.class === 'vdpa' || (device.backend === 'vhost-kernel' && /vhost-vdpa/.test(device.id ?? ''));
}

export function isVhostNet(device: Device): boolean {
  return device.class === 'net' && device.backend === 'vhost-kernel' && !isVhostVdpa(device);
}

export const vhostNet: RuleCheck = (input) =>
  perSandbox(input, 'KATA-NET-001', (sandbox) => {
    const devices = sandbox.devices.filter(isVhostNet);
    if (devices.length === 0) return [];
    return [`${vmmLabel(sandbox)}: ${plural(devices.length, 'network device')} served by in-kernel vhost-net: ` +
      describeDevices(devices)];
  });

export const vhostVdpa: RuleCheck = (input) =>
  perSandbox(input, 'KATA-NET-002', (sandbox) => {
    const devices = sandbox.devices.filter(isVhostVdpa);
    if (devices.length === 0) return [];
    return [`${vmmLabel(sandbox)}: ${plural(devices.length, 'vDPA device')} (${devices.map((d) => d.class).join(', ')}): ` +
      describeDevices(devices)];
  });

export const NET_CHECKS: Readonly<Record<string, RuleCheck>> = {
  'KATA-NET-001': vhostNet,
  'KATA-NET-002': vhostVdpa,
};
