import { andThen, ensure, PAGE_SIZE, type Task } from '@secondary-mmu/core-mm';
import type { MmuNotifierOps } from '@secondary-mmu/mmu-notifier';
import type { XpmemDriver } from './driver.js';
import { xpmemRecall, xpmemRecallSettled } from './recall.js';
import type { XpmemSegment, XpmemImporterPort } from './segment.js';

/** Under `seg->lock`: `change` the counts, and give the importers holding pins in `[start, end)`. */
function underLock(task: Task, segment: XpmemSegment, start: number, end: number, change: () => void): XpmemImporterPort[] | Promise<XpmemImporterPort[]> {
  return andThen(segment.lock.lock(task), () =>
    ensure(
      () => {
        change();
        return segment.holders(start, end);
      },
      () => segment.lock.unlock(task),
    ),
  );
}

/**
 * A segment's classic ops in the 2008 eras, start mode (all on the segment's range
 * only):
 *
 * - `invalidateRangeStart` — in-progress count and sequence up, then recall the range
 *   and sleep for the acknowledgements. `rfc-2008`: legal when the range is not
 *   atomic (`blockable`); anonymous exports never meet the atomic (file) ranges.
 *   `v2.6.27`: every callback runs under `rcu_read_lock()`, so the sleep is a
 *   might-sleep violation — there is no sleepable hook in that era.
 * - `invalidateRangeEnd` — in-progress count down, wake the fault handler.
 * - `invalidatePage` (`v2.6.27` only; PT lock held) — sequence up and recall the page,
 *   a sleep under the PT lock. `rfc-2008` has none: reclaim and writeback reach the
 *   exported pages through the external-rmap hook after the walk, where sleeping is
 *   meant to be legal.
 * - `release` — the mm is going away: recall everything, no more faults.
 *
 * Kernel counterpart: SGI's 2008 XPMEM notifier (its range begin and end, page
 * and release callbacks, with the RFC's `atomic` argument) against the RFC's and 2.6.27's
 * `mmu_notifier_ops`.
 */
export function xpmemClassicOps(driver: XpmemDriver, segment: XpmemSegment): MmuNotifierOps {
  const clip = (start: number, end: number): [number, number] => [Math.max(start, segment.start), Math.min(end, segment.end)];
  const ops: MmuNotifierOps = {
    invalidateRangeStart: (task, _sub, range) => {
      const [start, end] = clip(range.start, range.end);
      if (start >= end) return 0;
      const holders = underLock(task, segment, start, end, () => {
        segment.active++;
        segment.seq++;
      });
      return andThen(holders, (h) => andThen(xpmemRecallSettled(task, driver, segment, start, end, h, `invalidate_range_start (${range.event})`), () => 0));
    },
    invalidateRangeEnd: (task, _sub, range) => {
      const [start, end] = clip(range.start, range.end);
      if (start >= end) return;
      return andThen(
        underLock(task, segment, start, end, () => segment.active--),
        () => segment.idle.wakeUp(),
      );
    },
    release: (task) => {
      segment.released = true;
      segment.idle.wakeUp();
      const holders = underLock(task, segment, segment.start, segment.end, () => segment.seq++);
      return andThen(holders, (h) => xpmemRecallSettled(task, driver, segment, segment.start, segment.end, h, 'release'));
    },
  };
  if (driver.machine.era === 'v2.6.27') {
    ops.invalidatePage = (task, _sub, _mm, address) => {
      if (!segment.holds(address)) return;
      const page = address - (address % PAGE_SIZE);
      return andThen(
        underLock(task, segment, page, page + PAGE_SIZE, () => segment.seq++),
        (h) => xpmemRecall(task, driver, segment, page, page + PAGE_SIZE, h, 'invalidate_page'),
      );
    };
  }
  return ops;
}

/**
 * A segment's classic ops in the end-only mode (any era), the shape of today's
 * `hpc/xpmem`: no `start`; `invalidateRangeEnd` returns at once for an invalidation
 * from a task outside the owner's process (its tgid filter) and otherwise recalls the
 * range, sleeping for the acknowledgements; `release` recalls everything. The pins keep
 * the pages alive, but a page another task moves away from the owner's mapping (a
 * truncate, a hole punch; in the 2008 eras a swap-out then a write fault) stays mapped
 * by the importers. Kernel counterpart: `xpmem_invalidate_range()` (its
 * `invalidate_range_end`) and `xpmem_mmu_release()` (`hpc/xpmem` kernel/xpmem_mmu_notifier.c).
 */
export function xpmemEndOnlyOps(driver: XpmemDriver, segment: XpmemSegment): MmuNotifierOps {
  return {
    invalidateRangeEnd: (task, _sub, range) => {
      const start = Math.max(range.start, segment.start);
      const end = Math.min(range.end, segment.end);
      if (start >= end) return;
      if (task.mm !== segment.mm) {
        driver.stats.filtered++;
        return;
      }
      return andThen(underLock(task, segment, start, end, () => segment.seq++), (h) => xpmemRecall(task, driver, segment, start, end, h, `invalidate_range_end (${range.event})`));
    },
    release: (task) => {
      segment.released = true;
      return andThen(underLock(task, segment, segment.start, segment.end, () => undefined), (h) => xpmemRecall(task, driver, segment, segment.start, segment.end, h, 'release'));
    },
  };
}
