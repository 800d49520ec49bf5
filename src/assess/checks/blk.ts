// Block backends. Kata's own block paths (virtio-blk, virtio-scsi) are emulated in the VMM and do not fire;
// only a disk whose requests the host kernel parses does.

import type { Device } from '../../report/types.js';
import type { RuleCheck } from '../types.js';
import { isVhostVdpa } from './net.js';
import { describeDevices, perSandbox, plural, vmmLabel } from './vmm.js';

export function isVhostScsi(device: Device): boolean {
  return device.backend === 'vhost-kernel' && (device.class === 'scsi' || device.class === 'blk') && !isVhostVdpa(device);
}

export const vhostScsi: RuleCheck = (input) =>
  perSandbox(input, 'KATA-BLK-001', (sandbox) => {
    const devices = sandbox.devices.filter(isVhostScsi);
    if (devices.length === 0) return [];
    return [`${vmmLabel(sandbox)}: ${plural(devices.length, 'disk controller')} served by in-kernel vhost-scsi: ` +
      describeDevices(devices)];
  });

export const BLK_CHECKS: Readonly<Record<string, RuleCheck>> = {
  'KATA-BLK-001': vhostScsi,
};
