import type { DriverCapabilities } from '../capabilities.js';

/**
 * What the SVA reference driver declares: its device walks the CPU page table and
 * caches it in an IOTLB (`sharesCpuPageTable`), holds no page references, has no aging
 * callbacks (the walker sets the PTE's accessed and dirty bits itself), and its flush
 * neither sleeps nor fails.
 *
 * Kernel counterpart: the design of `drivers/iommu/iommu-sva.c` with an SVA-capable
 * IOMMU driver (`arm-smmu-v3-sva.c`'s `arm_smmu_mmu_notifier_ops`: only
 * `.arch_invalidate_secondary_tlbs`, `.release` and `.free_notifier`).
 */
export const SVA_CAPABILITIES: DriverCapabilities = Object.freeze({
  holdsPageRefs: false,
  implementsAging: false,
  mayBlock: false,
  mayFailStart: false,
  sharesCpuPageTable: true,
});
