// Host kernel surface that no sandbox justifies. Only the device modules are judged: `vhost` and `vhost_iotlb`
// are libraries the device modules pull in, and they go away with them, so flagging them would only repeat
// the finding. Built-in modules cannot be unloaded, so there is nothing to remediate for them.
// Usage counts trusted sandboxes only: a look-alike holding /dev/vhost-net is no reason to keep the module.

import type { Device, Finding } from '../../model/report.js';
import type { RuleCheck } from '../types.js';
import { type CheckTable, finding } from '../catalogue.js';
import { isVhostScsi } from './blk.js';
import { isVhostNet, isVhostVdpa } from './net.js';
import { judgedSandboxes } from './trust.js';
import { plural } from './vmm.js';
import { isVhostVsock } from './vsock.js';

export const VHOST_DEVICE_MODULES: ReadonlyArray<{ module: string; uses: (device: Device) => boolean; what: string }> = [
  { module: 'vhost_net', uses: isVhostNet, what: 'vhost-net network device' },
  { module: 'vhost_scsi', uses: isVhostScsi, what: 'vhost-scsi disk' },
  { module: 'vhost_vdpa', uses: isVhostVdpa, what: 'vhost-vdpa device' },
  { module: 'vhost_vsock', uses: isVhostVsock, what: 'vhost-vsock device' },
];

export const unusedVhostModules: RuleCheck = (input) => {
  const sandboxes = judgedSandboxes(input);
  const findings: Finding[] = [];
  for (const { module, uses, what } of VHOST_DEVICE_MODULES) {
    const state = input.host.kernelModules.find((m) => m.name === module)?.state;
    if (state !== 'loaded') continue;
    if (sandboxes.some((s) => s.devices.some(uses))) continue;
    findings.push(finding('KATA-HOST-001', null,
      `${module} is loaded as a module (not built in) and no trusted sandbox on this node uses a ${what} ` +
      `(${plural(sandboxes.length, 'trusted sandbox', 'trusted sandboxes')} checked)`));
  }
  return findings;
};

export const HOST_CHECKS = {
  'KATA-HOST-001': unusedVhostModules,
} satisfies CheckTable;
