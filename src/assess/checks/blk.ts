// Block backends. Kata's own block paths (virtio-blk, virtio-scsi) are emulated in the VMM and do not fire;
// only a disk whose requests the host kernel parses does.

import type { Device } from '../../model/report.js';
import type { CheckTable } from '../catalogue.js';
import { isVhostVdpa } from './net.js';
import { deviceBackendCheck, plural } from './vmm.js';

export function isVhostScsi(device: Device): boolean {
  return device.backend === 'vhost-kernel' && (device.class === 'scsi' || device.class === 'blk') && !isVhostVdpa(device);
}

export const vhostScsi = deviceBackendCheck('KATA-BLK-001', isVhostScsi,
  (devices) => `${plural(devices.length, 'disk controller')} served by in-kernel vhost-scsi`);

export const BLK_CHECKS = {
  'KATA-BLK-001': vhostScsi,
} satisfies CheckTable;
