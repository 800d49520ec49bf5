// The agent channel. Hybrid vsock (Cloud Hypervisor, Firecracker, Dragonball) is "vmm" or "in-process" and
// never fires: only the in-kernel backend puts host kernel code behind the guest's vsock queues.

import type { Device } from '../../model/report.js';
import type { CheckTable } from '../catalogue.js';
import { deviceBackendCheck, plural } from './vmm.js';

export function isVhostVsock(device: Device): boolean {
  return device.class === 'vsock' && device.backend === 'vhost-kernel';
}

export const vhostVsock = deviceBackendCheck('KATA-VSOCK-001', isVhostVsock,
  (devices) => `${plural(devices.length, 'vsock device')} served by in-kernel vhost-vsock`);

export const VSOCK_CHECKS = {
  'KATA-VSOCK-001': vhostVsock,
} satisfies CheckTable;
