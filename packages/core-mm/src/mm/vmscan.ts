import type { Task } from '../kernel/sched/task.js';
import { andThen, ensure } from '../kernel/util/flow.js';
import { PG } from './frames.js';
import type { MemoryState } from './memory-state.js';
import type { ScanVerdict } from './observe.js';
import { type AgingCombiner, pageReferenced } from './page-referenced.js';
import { deleteFromSwapCache, swapOf } from './swap.js';
import { tryToUnmap } from './try-to-unmap.js';
import { writebackLocked } from './writeback.js';

/** Options of one reclaim pass over a page. */
export interface ShrinkOptions {
  /** How the aging hook combines with the primary young bit (default `'or'`). */
  readonly combiner?: AgingCombiner;
  /**
   * Memcg-scoped reclaim for this cgroup (2.6.25+): `page_referenced()` skips the
   * mappings of mms outside it, while `try_to_unmap()` still visits (and, in the 2008
   * eras, young-checks) every mapping.
   */
  readonly memcg?: number;
  /**
   * `'shrink-page-list'` (default): `page_referenced()` first, then `try_to_unmap()`
   * if unreferenced, as `shrink_page_list()` does. `'try-to-unmap'`: skip
   * `page_referenced()` — what memcg reclaim does when no mapping is in its cgroup — a
   * shortcut for tests that want a page unmapped in one pass.
   */
  readonly walk?: 'shrink-page-list' | 'try-to-unmap';
  /**
   * May this pass write a dirty file page back (`pageout`)? Default: yes in the 2008 eras,
   * no in v6, where only kswapd writes file pages from reclaim.
   */
  readonly writePage?: boolean;
}

/**
 * One pass of one page through `shrink_page_list()` (`shrink_folio_list()`): trylock
 * the page, check references, unmap, and free what nobody needs any more. The verdict
 * is an observation-face `scan` event. Runs inside reclaim: `fs_reclaim` is held and
 * the task is `PF_MEMALLOC`.
 *
 * - The page is isolated first, as `isolate_lru_folios()` does: only a page on the LRU
 *   whose refcount is not 0 (`folio_try_get`) is taken, with reclaim's own reference,
 *   held until the pass ends. The caller names the page by pfn and need hold no
 *   reference, so the page may have been freed since it was found (by exit's zap, say);
 *   such a page is left alone: `'keep'`, with no scan event. Difference from the kernel:
 *   the page stays on its LRU list while isolated (`PG_lru` is not cleared); the page
 *   lock keeps two reclaimers off it instead.
 * - A referenced page is activated; so is one `try_to_unmap()` could not unmap
 *   completely (mlocked, young in 2008, swap full: `add_to_swap` failing).
 * - A clean file page nobody maps any more is dropped from the page cache
 *   (`remove_mapping`) and freed; a dirty one is kept for writeback.
 * - An anonymous page is swapped out by `try_to_unmap()` (`add_to_swap` puts it in the
 *   swap cache under a new slot, its entries become swap entries naming the slot), then
 *   written to the slot (`pageout`) and taken out of the swap cache and freed
 *   (`__remove_mapping`): reclaim's reference is the last one. The page lock, held
 *   throughout, keeps the page — and so its slot — in the swap cache meanwhile, though
 *   `try_to_unmap` may sleep in a notifier range and let a fault swap an entry back in
 *   (`dropSwapEntry`). A page someone else still holds (a 2008 pin, a `get_user_pages`
 *   reference) is unmapped and swapped out all the same but not freed: `'keep'`, as
 *   `__remove_mapping`'s refcount check keeps it, in the swap cache; the holder's
 *   reference frees it.
 * - v6 keeps a pinned anonymous page before trying to swap it (`folio_maybe_dma_pinned`
 *   in `shrink_folio_list`): `'keep'`, nothing unmapped. The 2008 eras had no such check.
 */
export function shrinkPage(mem: MemoryState, task: Task, pfn: number, options: ShrinkOptions = {}): ScanVerdict | Promise<ScanVerdict> {
  const f = mem.frames;
  const generation = f.generation[pfn]!;
  const emit = (verdict: ScanVerdict): ScanVerdict => {
    if (mem.observers.active) mem.observers.emit({ kind: 'scan', pfn, generation, verdict, time: mem.kernel.clock.now });
    return verdict;
  };
  // isolate_lru_folios(): reclaim takes only a page on the LRU, and only with a reference
  // it can raise from non-zero (folio_test_lru, folio_try_get). The caller found the page
  // by pfn without holding a reference (a batch taken off the LRU earlier, a page looked
  // up in a page table), so it may have been freed meanwhile (exit's zap dropped the last
  // reference); a free frame is not reclaim's to take, lock or put again. Not isolated:
  // `'keep'`, and no scan event — reclaim never looked at the page.
  if ((f.flags[pfn]! & PG.lru) === 0 || !mem.allocator.tryGet(pfn)) return 'keep';
  // shrink_folio_list(): folio_trylock, or keep the page for a later pass.
  if (!mem.pageLock.trylock(task, pfn)) {
    mem.allocator.put(task, pfn); // folio_putback_lru: reclaim's reference
    return emit('keep');
  }
  // Inside a reclaim that already entered (Reclaim.shrink), fs_reclaim is held and PF_MEMALLOC set.
  const entered = !task.memalloc;
  if (entered) {
    task.memalloc = true;
    mem.fsReclaim.acquire(task);
  }
  const pass = (): ScanVerdict | Promise<ScanVerdict> => {
    const referenced = options.walk === 'try-to-unmap' ? 0 : pageReferenced(mem, task, pfn, options.combiner, false, options.memcg);
    return andThen(referenced, (refs) => {
      if (refs > 0) return 'activate' as const;
      const anon = mem.isAnon(pfn);
      if (anon && mem.era === 'v6' && f.pincount[pfn]! > 0) return 'keep' as const;
      return andThen(tryToUnmap(mem, task, pfn, options.combiner), (result): ScanVerdict | Promise<ScanVerdict> => {
        if (result === 'fail' || f.mapcount[pfn]! > 0) return 'activate';
        if (anon) {
          // pageout() to the slot when the page is dirty, then __remove_mapping(): only the
          // swap cache and reclaim may hold the page; otherwise (a 2008 pin, a gup
          // reference) it stays in the cache. A clean swap-cache page is dropped without a
          // write: what a device stored into it without set_page_dirty is lost, as in the
          // kernel (the unmap walk wrote the slot for every entry it replaced).
          const swap = swapOf(mem);
          const slot = swap.slotOfPage.get(pfn);
          if (slot === undefined) return f.refcount[pfn] === 1 ? 'freed' : 'keep';
          if ((f.flags[pfn]! & PG.dirty) !== 0) swap.write(slot, f.content[pfn]!);
          f.flags[pfn] = f.flags[pfn]! & ~PG.dirty;
          if (f.refcount[pfn] !== 2) return 'keep';
          deleteFromSwapCache(mem, task, swap, slot);
          return 'freed';
        }
        const owner = mem.ownerOf(pfn);
        if (owner === undefined || !('pageCache' in owner)) return 'keep';
        const drop = (): ScanVerdict => {
          if ((f.flags[pfn]! & PG.dirty) !== 0) return 'keep';
          owner.pageCache.delete(f.index[pfn]!);
          f.mapping[pfn] = 0;
          mem.allocator.put(task, pfn); // the page cache's reference
          return 'freed';
        };
        // pageout(): a dirty file page is written before it can go. 2.6.2x wrote from any
        // reclaimer; v6 lets only kswapd write file pages (options.writePage).
        const mayWrite = mem.era === 'v6' ? options.writePage === true : options.writePage !== false;
        if ((f.flags[pfn]! & PG.dirty) === 0 || owner.anonShared || !mayWrite) return drop();
        return andThen(writebackLocked(mem, task, pfn), drop);
      });
    });
  };
  return andThen(
    ensure(pass, () =>
      andThen(mem.pageLock.unlock(task, pfn), () => {
        mem.allocator.put(task, pfn); // reclaim's reference: the last one frees a dropped page
        if (entered) {
          mem.fsReclaim.release(task);
          task.memalloc = false;
        }
      }),
    ),
    (verdict) => {
      if (verdict === 'activate' && (f.flags[pfn]! & PG.lru) !== 0) mem.lru.move(pfn, true);
      return emit(verdict);
    },
  );
}
