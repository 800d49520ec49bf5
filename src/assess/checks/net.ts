// Network backends. vhost-net and vhost-vdpa are both "vhost-kernel" to the inspector; the vDPA one is told
// apart by its class or its device node, because its kernel path (vendor vDPA driver) differs from vhost-net.

import type { Device } from '../../model/report.js';
import type { CheckTable } from '../catalogue.js';
import { deviceBackendCheck, plural } from './vmm.js';

export function isVhostVdpa(device: Device): boolean {
  return device.class === 'vdpa' || (device.backend === 'vhost-kernel' && /vhost-vdpa/.test(device.id ?? ''));
}

export function isVhostNet(device: Device): boolean {
  return device.class === 'net' && device.backend === 'vhost-kernel' && !isVhostVdpa(device);
}

export const vhostNet = deviceBackendCheck('KATA-NET-001', isVhostNet,
  (devices) => `${plural(devices.length, 'network device')} served by in-kernel vhost-net`);

export const vhostVdpa = deviceBackendCheck('KATA-NET-002', isVhostVdpa,
  (devices) => `${plural(devices.length, 'vDPA device')} (${devices.map((d) => d.class).join(', ')})`);

export const NET_CHECKS = {
  'KATA-NET-001': vhostNet,
  'KATA-NET-002': vhostVdpa,
} satisfies CheckTable;
