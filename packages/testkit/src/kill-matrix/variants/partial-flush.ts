import { svaMirror } from '../../sva/factory.js';
import { PAGE_SIZE, type Task } from '@secondary-mmu/core-mm';
import { defineDriver } from '../../define-driver.js';
import { SVA_CAPABILITIES } from '../../sva/capabilities.js';
import { SvaInstance } from '../../sva/instance.js';
import type { KillMatrixVariant } from '../types.js';

/** The SVA driver invalidating only the first page of each flushed range. */
class PartialFlushSva extends SvaInstance {
  protected override invalidateSecondaryTlbs(task: Task, start: number, end: number): void | Promise<void> {
    return super.invalidateSecondaryTlbs(task, start, Math.min(end, start + PAGE_SIZE));
  }
}

/**
 * `partial-flush`: `arch_invalidate_secondary_tlbs` invalidates only the first page of
 * the range (an invalidation command built for one page), so a multi-page zap leaves
 * the device holding pages the zap frees. Kernel counterpart: none (a driver bug; the
 * real drivers invalidate the whole range, or the whole ASID when it is large:
 * `arm_smmu_tlb_inv_range_asid`, `CMDQ_MAX_TLBI_OPS`).
 */
export const PARTIAL_FLUSH: KillMatrixVariant = {
  name: 'partial-flush',
  bug: 'arch_invalidate_secondary_tlbs invalidates only the first page of the range',
  race: true,
  driver: defineDriver({ name: 'partial-flush', capabilities: SVA_CAPABILITIES, eras: ['v6'], attach: (task, machine, mm) => PartialFlushSva.open(task, machine, mm, 'partial-flush') }),
  reference: svaMirror,
  scenario: 'munmap-range-vs-device-reads',
  era: 'v6',
  expectedKinds: ['late-secondary-flush', 'use-after-free', 'revoked-translation'],
  schedules: 40,
};
