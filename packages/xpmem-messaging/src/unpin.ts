import { andThen, ensure, setPageDirty, type Task } from '@secondary-mmu/core-mm';
import type { XpmemDriver } from './driver.js';
import type { XpmemPin, XpmemSegment, XpmemImporterPort } from './segment.js';

/**
 * The owner lets go of `pin`, held for `importer`: dirty when the importer reported
 * writing to the page. Under the page lock already (the rfc-2008 external-rmap hook
 * runs with it), the page is dirtied in place and then unpinned; otherwise
 * `unpin_user_pages_dirty_lock` takes the lock itself (it may sleep). Kernel
 * counterpart: XPMEM's `xpmem_unpin_pages()` → `put_page()` / `unpin_user_page()`,
 * `set_page_dirty_lock()` for written pages.
 */
export function xpmemUnpin(task: Task, driver: XpmemDriver, importer: XpmemImporterPort, pin: XpmemPin): void | Promise<void> {
  if (!pin.pinned) return;
  driver.stats.unpins++;
  const mem = driver.machine.mem;
  if (pin.dirty && mem.pageLock.holder(pin.pfn) === task) {
    setPageDirty(mem, pin.pfn);
    return importer.device.unpinUserPage(task, pin.pfn);
  }
  return importer.device.unpinUserPage(task, pin.pfn, { dirty: pin.dirty });
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
