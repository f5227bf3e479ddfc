import { andThen, type MmuNotifierRange, type Task } from '@secondary-mmu/core-mm';
import { mmuIntervalSetSeq, type MmuIntervalNotifier } from '@secondary-mmu/mmu-notifier';
import type { OdpRegion, OdpRegions } from './region.js';

/**
 * A region's interval `invalidate`: refuse (answer false) when the range may not
 * block — the OOM reaper then skips the range — else take the region's `umem_mutex`,
 * publish `curSeq` with `mmuIntervalSetSeq`, zap the device's translations of the
 * overlap of the range with this region only (the other regions get their own
 * callbacks), unlock, answer true. Every event zaps, PROTECTION ones included.
 *
 * Kernel counterpart: `mlx5_ib_invalidate_range()` (`drivers/infiniband/hw/mlx5/odp.c`):
 * `if (!mmu_notifier_range_blockable(range)) return false;`, `mutex_lock(&umem_odp->umem_mutex)`,
 * `mmu_interval_set_seq`, then the MTT zap of `max(ib_umem_start, range->start)` to
 * `min(ib_umem_end, range->end)`.
 */
export function odpInvalidateRange(mirror: OdpRegions, region: OdpRegion, task: Task, isub: MmuIntervalNotifier, range: MmuNotifierRange, curSeq: number): boolean | Promise<boolean> {
  if (!range.blockable) return false;
  return andThen(region.mutex.lock(task), () => {
    mmuIntervalSetSeq(isub, curSeq);
    mirror.device.dropRange(range.mm, Math.max(region.start, range.start), Math.min(region.end, range.end));
    return andThen(region.mutex.unlock(task), () => true);
  });
}
