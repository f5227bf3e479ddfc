import { andThen, ensure, setPageDirty, type Task } from '@secondary-mmu/core-mm';
import type { XpmemDriver } from './driver.js';
import type { XpmemPin, XpmemSegment, XpmemImporterPort } from './segment.js';

/**
 * The owner lets go of `pin`, held for `importer`: dirtied first when the importer
 * reported writing to the page, with `set_page_dirty` and without the page lock, then
 * unpinned. Not `unpin_user_pages_dirty_lock`: this runs inside invalidations (the
 * recall), whose callers may hold a page lock — writeback's `page_mkclean`, reclaim, the
 * rfc-2008 hook — so taking another page's lock there inverts the page-lock order
 * (lockdep reports it). ib_umem_odp dirties its pages the same way from its
 * invalidations; the pin keeps the page and its mapping meanwhile. Kernel counterpart:
 * XPMEM's `xpmem_unpin_pages()` → `unpin_user_page()`, with `set_page_dirty()` for
 * written pages.
 */
export function xpmemUnpin(task: Task, driver: XpmemDriver, importer: XpmemImporterPort, pin: XpmemPin): void | Promise<void> {
  if (!pin.pinned) return;
  driver.stats.unpins++;
  if (pin.dirty) setPageDirty(driver.machine.mem, pin.pfn);
  return importer.device.unpinUserPage(task, pin.pfn);
}

/** {@link xpmemUnpin} of each of `pins`, in order. Kernel counterpart: as {@link xpmemUnpin}. */
export function xpmemUnpinAll(task: Task, driver: XpmemDriver, importer: XpmemImporterPort, pins: readonly XpmemPin[], i = 0): void | Promise<void> {
  if (i >= pins.length) return;
  return andThen(xpmemUnpin(task, driver, importer, pins[i]!), () => xpmemUnpinAll(task, driver, importer, pins, i + 1));
}

/**
 * Take `importer`'s pins of `[start, end)` off `segment`'s table under `seg->lock` and
 * unpin them (dirty where the importer wrote: `written`). Counted in flight from the
 * table to the unpin, so an invalidation that no longer finds them in the table still
 * waits for them to go. Kernel counterpart: `xpmem_unpin_pages()` over a range.
 */
export function xpmemReleasePins(task: Task, driver: XpmemDriver, segment: XpmemSegment, importer: XpmemImporterPort, start: number, end: number, written: readonly number[]): void | Promise<void> {
  const taken = andThen(segment.lock.lock(task), () =>
    ensure(
      () => {
        const pins = segment.take(importer, start, end);
        segment.inflight++;
        return pins;
      },
      () => segment.lock.unlock(task),
    ),
  );
  return andThen(taken, (pins) => {
    for (const pin of pins) if (written.includes(pin.page)) pin.dirty = true;
    return ensure(
      () => xpmemUnpinAll(task, driver, importer, pins),
      () => {
        segment.inflight--;
        segment.idle.wakeUp();
      },
    );
  });
}
