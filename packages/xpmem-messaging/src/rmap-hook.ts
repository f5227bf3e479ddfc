import { PAGE_SIZE, type Task } from '@secondary-mmu/core-mm';
import { MmuRmapNotifier, mmuRmapNotifierRegister } from '@secondary-mmu/mmu-notifier';
import type { XpmemDriver } from './driver.js';
import type { XpmemImporterPort } from './segment.js';
import { xpmemRecall } from './recall.js';

/**
 * The driver's rfc-2008 external-rmap notifier, registered on first use: for a page it
 * exported that reclaim or writeback unmaps (`try_to_unmap()`, `page_mkclean()`),
 * after the Linux rmap walk, with only the page lock held — recall the page from every
 * importer holding it and sleep for the acknowledgements, which the RFC meant to be
 * legal. The model follows that stated intent: it calls the hook outside any RCU read
 * side (as coded, the RFC's list walk was still under `rcu_read_lock()`). The classic
 * `invalidatePage` during the walk has already bumped the segment's sequence.
 *
 * Kernel counterpart: the RFC's `struct mmu_rmap_notifier_ops.invalidate_page(mrn,
 * page)` as SGI's XPMEM meant to use it (`mmu_rmap_notifier_register`).
 */
export function xpmemRmapNotifier(driver: XpmemDriver): MmuRmapNotifier {
  if (driver.rmapNotifier !== null) return driver.rmapNotifier;
  const notifier = new MmuRmapNotifier({ invalidatePage: (task, _n, pfn) => recallFrame(task, driver, pfn) }, `${driver.name}-rmap`);
  mmuRmapNotifierRegister(driver.machine, notifier);
  driver.rmapNotifier = notifier;
  return notifier;
}

async function recallFrame(task: Task, driver: XpmemDriver, pfn: number): Promise<void> {
  for (const segment of driver.segments.slice()) {
    await segment.lock.lock(task);
    const holders = segment.holdersOfFrame(pfn);
    await segment.lock.unlock(task);
    const byPage = new Map<number, XpmemImporterPort[]>();
    for (const { importer, page } of holders) byPage.set(page, [...(byPage.get(page) ?? []), importer]);
    for (const [page, importers] of byPage) await xpmemRecall(task, driver, segment, page, page + PAGE_SIZE, importers, 'rmap invalidate_page');
  }
}
