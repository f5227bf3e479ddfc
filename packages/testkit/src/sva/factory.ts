import { defineDriver } from '../define-driver.js';
import type { DriverFactory } from '../contract.js';
import { SVA_CAPABILITIES } from './capabilities.js';
import { SvaInstance } from './instance.js';

/**
 * The reference driver for a device sharing the CPU page table: IOMMU SVA. `v6` only —
 * `arch_invalidate_secondary_tlbs` (6.6; `invalidate_range` before it) is the only hook
 * such a device needs, and the 2008 eras have neither.
 *
 * Kernel counterpart: a device driver calling `iommu_sva_bind_device()` (e.g. `idxd`,
 * `uacce`); `attach` is the bind.
 */
export const svaMirror: DriverFactory = defineDriver({
  name: 'sva',
  capabilities: SVA_CAPABILITIES,
  eras: ['v6'],
  attach: (task, machine, mm) => SvaInstance.open(task, machine, mm),
});
