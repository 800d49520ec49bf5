// The agent channel. Hybrid vsock (Cloud Hypervisor, Firecracker, Dragonball) is "vmm" or "in-process" and
// never fires: only the in-kernel backend puts host kernel code behind the guest's vsock queues.

import type { Device } from '../../report/types.js';
import type { RuleCheck } from '../types.js';
import { describeDevices, perSandbox, plural, vmmLabel } from './vmm.js';

export function isVhostVsock(device: Device): boolean {
  return device.class === 'vsock' && device.backend === 'vhost-kernel';
}

export const vhostVsock: RuleCheck = (input) =>
  perSandbox(input, 'KATA-VSOCK-001', (sandbox) => {
    const devices = sandbox.devices.filter(isVhostVsock);
    if (devices.length === 0) return [];
    return [`${vmmLabel(sandbox)}: ${plural(devices.length, 'vsock device')} served by in-kernel vhost-vsock: ` +
      describeDevices(devices)];
  });

export const VSOCK_CHECKS: Readonly<Record<string, RuleCheck>> = {
  'KATA-VSOCK-001': vhostVsock,
};
