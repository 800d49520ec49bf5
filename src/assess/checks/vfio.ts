// VFIO pass-through. The sandbox rules say which VM drives real hardware; the host rules say whether the
// host can confine that hardware at all (IOMMU, interrupt remapping, whole groups). A weak host makes every
// pass-through sandbox worse, which is the documented escalation of KATA-VFIO-001.

import type { Device, Finding, HostFacts, VfioDevice } from '../../model/report.js';
import type { RuleCheck } from '../types.js';
import { type CheckTable, finding } from '../catalogue.js';
import { isJudged, judgedSandboxes } from './trust.js';
import { describeDevices, perSandbox, plural, vmmLabel } from './vmm.js';

export function isPassthrough(device: Device): boolean {
  return device.backend === 'passthrough' || device.class === 'vfio';
}

function hostWeaknesses(host: HostFacts): string[] {
  const weak: string[] = [];
  if (!host.iommu.enabled) weak.push('the host has no working IOMMU');
  if (host.iommu.vfioUnsafeInterrupts || host.iommu.iommufdUnsafeInterrupts === true) weak.push('VFIO allows unsafe interrupts');
  if (host.iommu.vfioNoIommu) weak.push('VFIO runs in no-IOMMU mode');
  return weak;
}

/**
 * A cdev (IOMMUFD) hands over one device, not its group, but DMA isolation is still the group's: the evidence
 * names both, so a non-viable group behind a cdev reads as what it is.
 */
function describeVfio(devices: readonly VfioDevice[]): string {
  return devices.map((d) => `${d.address} (${d.cdev ? `cdev ${d.cdev}, ` : ''}IOMMU group ${d.iommuGroup ?? 'unknown'})`).join(', ');
}

export const passthrough: RuleCheck = (input) => {
  const weak = hostWeaknesses(input.host);
  return judgedSandboxes(input).flatMap((sandbox): Finding[] => {
    const devices = sandbox.devices.filter(isPassthrough);
    const bound = input.host.vfioDevices.filter((d) => d.sandboxId === sandbox.id);
    if (devices.length === 0 && bound.length === 0) return [];
    const parts: string[] = [];
    if (devices.length > 0) parts.push(`${vmmLabel(sandbox)} passes through ${plural(devices.length, 'device')}: ${describeDevices(devices)}`);
    if (bound.length > 0) parts.push(`holds vfio-pci ${bound.length === 1 ? 'device' : 'devices'} ${describeVfio(bound)}`);
    if (weak.length > 0) parts.push(`and ${weak.join(', ')}`);
    return [finding('KATA-VFIO-001', sandbox.id, parts.join('; '), weak.length > 0)];
  });
};

export const sandboxNonViableGroup: RuleCheck = (input) =>
  perSandbox(input, 'KATA-VFIO-002', (sandbox) => {
    const bad = input.host.vfioDevices.filter((d) => d.sandboxId === sandbox.id && !d.groupViable);
    if (bad.length === 0) return [];
    return [`holds ${describeVfio(bad)}, whose group is not viable: another device of the group is bound to a host driver`];
  });

/** Groups, not devices: one finding per non-viable group nobody trusted holds, so the evidence names all its members. */
export const hostNonViableGroup: RuleCheck = (input) => {
  const judgedIds = new Set(judgedSandboxes(input).map((s) => s.id));
  const untrustedIds = new Set(input.sandboxes.filter((s) => !isJudged(s)).map((s) => s.id));
  const byGroup = new Map<string, VfioDevice[]>();
  for (const device of input.host.vfioDevices) {
    if (device.groupViable || (device.sandboxId !== null && judgedIds.has(device.sandboxId))) continue;
    const key = device.iommuGroup ?? `device ${device.address}`;
    byGroup.set(key, [...(byGroup.get(key) ?? []), device]);
  }
  return [...byGroup.values()].map((devices): Finding => {
    const holders = [...new Set(devices.map((d) => d.sandboxId).filter((id): id is string => id !== null))];
    const held = holders.length === 0
      ? 'no sandbox holds it'
      : holders.map((id) => untrustedIds.has(id) ? `held by untrusted sandbox ${id}` : `attributed to sandbox ${id}, which is not in this scan`).join(', ');
    return finding('KATA-VFIO-003', null,
      `vfio-pci ${devices.length === 1 ? 'device' : 'devices'} ${describeVfio(devices)} in a non-viable group (${held})`);
  });
};

const UNSAFE_INTERRUPT_PARAMETERS = {
  vfioUnsafeInterrupts: '/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts',
  iommufdUnsafeInterrupts: '/sys/module/iommufd/parameters/allow_unsafe_interrupts',
} as const;

/** Sandboxes that hold a passed-through device: their VMM argv or fds show one, or a host VFIO device is theirs. */
function passthroughSandboxes(input: Parameters<RuleCheck>[0]): string[] {
  const ids = judgedSandboxes(input)
    .filter((s) => s.devices.some(isPassthrough) || input.host.vfioDevices.some((d) => d.sandboxId === s.id))
    .map((s) => s.id);
  return [...new Set(ids)];
}

export const unsafeInterrupts: RuleCheck = (input) => {
  const enabled = (Object.keys(UNSAFE_INTERRUPT_PARAMETERS) as Array<keyof typeof UNSAFE_INTERRUPT_PARAMETERS>)
    .filter((key) => input.host.iommu[key] === true).map((key) => UNSAFE_INTERRUPT_PARAMETERS[key]);
  if (enabled.length === 0) return [];
  const users = passthroughSandboxes(input);
  const running = users.length > 0 ? `; passed through to running sandbox${users.length > 1 ? 'es' : ''} ${users.join(', ')}` : '';
  return [finding('KATA-VFIO-004', null,
    `${enabled.join(' and ')} ${enabled.length > 1 ? 'are' : 'is'} enabled; ` +
    `${plural(input.host.vfioDevices.length, 'device')} bound to vfio-pci${running}`, users.length > 0)];
};

export const noIommuMode: RuleCheck = (input) => {
  if (!input.host.iommu.vfioNoIommu) return [];
  const count = input.host.vfioDevices.length;
  return [finding('KATA-VFIO-005', null,
    `/sys/module/vfio/parameters/enable_unsafe_noiommu_mode is enabled; ${plural(count, 'device')} bound to vfio-pci` +
    (count > 0 ? `: ${describeVfio(input.host.vfioDevices)}` : ''), count > 0)];
};

export const vfioWithoutIommu: RuleCheck = (input) => {
  if (input.host.iommu.enabled) return [];
  const signs: string[] = [];
  if (input.host.vfioDevices.length > 0) signs.push(`${plural(input.host.vfioDevices.length, 'device')} bound to vfio-pci (${describeVfio(input.host.vfioDevices)})`);
  const users = judgedSandboxes(input).filter((s) => s.devices.some(isPassthrough)).map((s) => s.id);
  if (users.length > 0) signs.push(`pass-through devices in sandbox${users.length > 1 ? 'es' : ''} ${users.join(', ')}`);
  if (input.host.kernelModules.some((m) => m.name === 'vfio_pci' && m.state === 'loaded')) signs.push('module vfio_pci loaded');
  if (signs.length === 0) return [];
  return [finding('KATA-VFIO-006', null, `no IOMMU is enabled (no IOMMU groups), yet: ${signs.join('; ')}`)];
};

export const VFIO_CHECKS = {
  'KATA-VFIO-001': passthrough,
  'KATA-VFIO-002': sandboxNonViableGroup,
  'KATA-VFIO-003': hostNonViableGroup,
  'KATA-VFIO-004': unsafeInterrupts,
  'KATA-VFIO-005': noIommuMode,
  'KATA-VFIO-006': vfioWithoutIommu,
} satisfies CheckTable;
