import { andThen, type Task } from '@secondary-mmu/core-mm';
import { mmuIntervalSetSeq, type MmuIntervalNotifierOps } from '@secondary-mmu/mmu-notifier';
import type { XpmemDriver } from './driver.js';
import { xpmemRecallSettled } from './recall.js';
import type { XpmemSegment } from './segment.js';

/**
 * A `v6` segment's interval-notifier ops (start mode). `invalidate`: under `seg->lock`,
 * find the importers holding pins in the range; a non-blockable range (the OOM reaper)
 * that needs a recall is refused — false, the interval notifier's `-EAGAIN`, without
 * sleeping, and without an `end` to pair (the reaper retries, then gives up with
 * `MMF_OOM_SKIP`, and the exit path's blockable unmap recalls); otherwise publish
 * `curSeq` (`mmu_interval_set_seq`: the owner's fault handler then retries), wait for
 * fault handlers holding a pin not yet recorded (they see the new sequence and unpin), and
 * recall the range, sleeping until every importer acknowledged. True.
 *
 * Kernel counterpart: the correct modern shape for a blocking driver — an
 * `mmu_interval_notifier_ops.invalidate` that returns false when
 * `!mmu_notifier_range_blockable(range)` (as mlx5's `mlx5_ib_invalidate_range` does)
 * and otherwise waits for the remote acknowledgements (`xpmem_invalidate_PTEs_range()`'s work).
 */
export function xpmemIntervalOps(driver: XpmemDriver, segment: XpmemSegment): MmuIntervalNotifierOps {
  return {
    invalidate: (task: Task, isub, range, curSeq) =>
      andThen(segment.lock.lock(task), () => {
        const holders = segment.holders(range.start, range.end);
        const refuse = !range.blockable && (holders.length > 0 || segment.inflight > 0);
        if (refuse) driver.stats.refused++;
        else mmuIntervalSetSeq(isub, curSeq);
        return andThen(segment.lock.unlock(task), () => (refuse ? false : andThen(xpmemRecallSettled(task, driver, segment, range.start, range.end, holders, `interval invalidate (${range.event})`), () => true)));
      }),
  };
}
