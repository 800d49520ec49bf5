import type { FixtureHost } from '../../src/fixture-host/description.js';
import { mergeHosts, pciDevice } from './fixture-view.js';

/**
 * A GPU host shaped like a real one:
 * - group 1: a root port (pcieport) above a GPU and its HDMI audio function, both on vfio-pci: viable, the
 *   bridge is ignored;
 * - group 2: a second GPU on vfio-pci whose audio function the host still drives (snd_hda_intel): not viable;
 * - group 3: a NIC on a vfio-pci variant driver next to an unbound function and one held by pci-stub: viable;
 * - group 4: the chipset audio, driven by the host and not passed through;
 * - an NVMe drive on vfio-pci with no IOMMU group (no-IOMMU mode);
 * - vfio_iommu_type1 allow_unsafe_interrupts=Y.
 */
export const GPU_HOST: FixtureHost = mergeHosts(
  pciDevice({ address: '0000:00:01.0', vendor: '0x8086', device: '0x1901', pciClass: '0x060400', driver: 'pcieport', iommuGroup: 1 }),
  pciDevice({ address: '0000:01:00.0', parents: ['0000:00:01.0'], vendor: '0x10de', device: '0x1eb8', pciClass: '0x030200', driver: 'vfio-pci', iommuGroup: 1 }),
  pciDevice({ address: '0000:01:00.1', parents: ['0000:00:01.0'], vendor: '0x10de', device: '0x10f8', pciClass: '0x040300', driver: 'vfio-pci', iommuGroup: 1 }),
  pciDevice({ address: '0000:00:1c.0', vendor: '0x8086', device: '0xa110', pciClass: '0x060400', driver: 'pcieport', iommuGroup: 7 }),
  pciDevice({ address: '0000:02:00.0', parents: ['0000:00:1c.0'], vendor: '0x10DE', device: '0x2204', pciClass: '0x030000', driver: 'vfio-pci', iommuGroup: 2 }),
  pciDevice({ address: '0000:02:00.1', parents: ['0000:00:1c.0'], vendor: '0x10de', device: '0x1aef', pciClass: '0x040300', driver: 'snd_hda_intel', iommuGroup: 2 }),
  pciDevice({ address: '0000:00:1d.0', vendor: '0x8086', device: '0xa118', pciClass: '0x060400', driver: 'pcieport', iommuGroup: 8 }),
  pciDevice({ address: '0000:03:00.0', parents: ['0000:00:1d.0'], vendor: '0x15b3', device: '0x101d', pciClass: '0x020000', driver: 'mlx5_vfio_pci', iommuGroup: 3 }),
  pciDevice({ address: '0000:03:00.1', parents: ['0000:00:1d.0'], vendor: '0x15b3', device: '0x101d', pciClass: '0x020000', iommuGroup: 3 }),
  pciDevice({ address: '0000:03:00.2', parents: ['0000:00:1d.0'], vendor: '0x15b3', device: '0x101e', pciClass: '0x020000', driver: 'pci-stub', iommuGroup: 3 }),
  pciDevice({ address: '0000:00:1f.3', vendor: '0x8086', device: '0xa348', pciClass: '0x040380', driver: 'snd_hda_intel', iommuGroup: 4 }),
  pciDevice({ address: '0000:04:00.0', vendor: '0x144d', device: '0xa808', pciClass: '0x010802', driver: 'vfio-pci' }),
  {
    files: {
      'sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts': 'Y\n',
      'sys/module/vfio_iommu_type1/parameters/dma_entry_limit': '65535\n',
      'sys/module/vfio/parameters/enable_unsafe_noiommu_mode': 'N\n',
    },
    dirs: ['sys/class/iommu/dmar0', 'sys/class/iommu/dmar1'],
  },
);
