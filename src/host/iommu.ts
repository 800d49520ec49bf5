import type { HostFacts } from '../model/report.js';
import type { HostView } from './host-view.js';

export const IOMMU_STAGE = 'iommu';

export type IommuState = HostFacts['iommu'];

/**
 * Whether DMA from passed-through devices is fenced by an IOMMU, and whether VFIO was told to give up parts
 * of that fence. Every file here is optional: a host without VFIO or an IOMMU simply lacks them.
 */
export function readIommuState(view: HostView): IommuState {
  const options = { stage: IOMMU_STAGE, optional: true };
  // Groups appear only once an IOMMU driver is active; class/iommu lists the hardware units it drives.
  const groups = view.list('sys', 'kernel/iommu_groups', options) ?? [];
  const units = view.list('sys', 'class/iommu', options) ?? [];
  return {
    enabled: groups.length > 0 || units.length > 0,
    vfioUnsafeInterrupts: readBooleanParameter(view, 'module/vfio_iommu_type1/parameters/allow_unsafe_interrupts'),
    vfioNoIommu: readBooleanParameter(view, 'module/vfio/parameters/enable_unsafe_noiommu_mode'),
    // Devices bound through IOMMUFD (a VFIO cdev) are governed by iommufd's own copy of the knob, not type1's.
    iommufdUnsafeInterrupts: readBooleanParameter(view, 'module/iommufd/parameters/allow_unsafe_interrupts'),
  };
}

/** A module bool parameter ("Y"/"N", or "1"/"0" for int-typed ones); unreadable or absent counts as off. */
export function readBooleanParameter(view: HostView, rel: string): boolean {
  const text = view.readText('sys', rel, { stage: IOMMU_STAGE, optional: true, maxBytes: 64 });
  if (text === undefined) return false;
  const value = text.trim();
  if (value === 'Y' || value === '1') return true;
  if (value !== 'N' && value !== '0') {
    view.errors.add(IOMMU_STAGE, view.hostPath('sys', rel), 'E_MALFORMED', `expected Y, N, 1 or 0, found ${JSON.stringify(value.slice(0, 32))}`);
  }
  return false;
}
