import type { Task } from '../kernel/sched/task.js';
import { andThen, ensure } from '../kernel/util/flow.js';
import { PG } from './frames.js';
import { PAGE_SIZE } from './layout.js';
import type { MemoryState } from './memory-state.js';
import { notifierRange, notifyExternalRmap, notifyInvalidatePage, notifyRangeEnd, notifyRangeStart, notifySecondaryTlbs } from './notify.js';
import type { MmuNotifierRange } from './mm-types.js';
import { type AgingCombiner, clearFlushYoung } from './page-referenced.js';
import { clearPte, recordFrame, setPte } from './pte-ops.js';
import { PTE } from './pte.js';
import { removeRmap } from './rmap.js';
import { rmapWalk } from './rmap-walk.js';
import type { SwapDevice } from './swap-device.js';
import { addToSwapCache, deleteFromSwapCache, swapOf } from './swap.js';
import { VM } from './mm-types.js';

/** `SWAP_SUCCESS` / `SWAP_FAIL` (`try_to_unmap()`'s answer). */
export type UnmapResult = 'success' | 'fail';

/**
 * `try_to_unmap()` for reclaim: clear every PTE mapping the page, each under its PT
 * lock with the rmap lock held.
 *
 * - 2008 eras (`try_to_unmap_one`): a `VM_LOCKED` mapping, or one found young — the
 *   primary bit combined with `age_page`/`clear_flush_young` by `combiner` — fails the
 *   walk there (SWAP_FAIL: the page was used, keep it); otherwise the PTE is cleared
 *   and `invalidate_page(mm, address)` is called right after `ptep_clear_flush`, PT
 *   lock and rmap spinlock held.
 * - v6: no young check (reclaim ignores access here since ≈5.11); each mapping is
 *   bracketed by a CLEAR range begun before its PT lock, and the TLB flush reaches the
 *   secondary TLBs sharing the page table under the PT lock.
 *
 * A dirty PTE moves its dirty bit to the page (`set_page_dirty`). A file page's entries
 * just go (the page cache keeps the page). An anonymous page is swapped out: unless it
 * is in the swap cache already, a slot is allocated before the walk and the page
 * enters the swap cache under it (`add_to_swap`: the cache's use, `SWAP_HAS_CACHE`;
 * none free: SWAP_FAIL, nothing touched), and each mapping's entry becomes a swap
 * entry naming it (`swp_entry_to_pte`, cause `'swapout'`), one `swap_duplicate` per
 * entry, with the page's content word written to the slot at each one — the last
 * write follows the last entry that could change the page, which is what `pageout()`
 * after the walk amounts to. The caller (reclaim) holds the page lock, so the page and
 * its slot stay in the swap cache across the walk even when a v6 range start sleeps
 * and a fault swaps an earlier entry back in meanwhile (see `dropSwapEntry`). When the
 * walk leaves no swap entry naming the slot, the page leaves the swap cache after it
 * (the slot is freed); otherwise the cache's use stays until reclaim drops the page
 * (`__remove_mapping`) or the last entry goes. The swap entry is set before the notifier
 * call (the kernel sets it after `ptep_clear_flush`): under the PT lock nobody can
 * tell, and a port that sleeps there (a reported bug in 2008) never exposes a
 * `pte_none` that a fault would zero-fill.
 *
 * Pinned pages per era: v6 gives up on a pinned `PageAnonExclusive` page
 * (`folio_try_share_anon_rmap_pte` fails on `folio_maybe_dma_pinned`) and clears
 * `PageAnonExclusive` of one it swaps out; the 2008 eras unmap a pinned anonymous page
 * like any other — the pin keeps the frame, and the process gets a copy from swap.
 */
export function tryToUnmap(mem: MemoryState, task: Task, pfn: number, combiner: AgingCombiner = 'or'): UnmapResult | Promise<UnmapResult> {
  const f = mem.frames;
  const v6 = mem.era === 'v6';
  const anon = mem.isAnon(pfn);
  const swap: SwapDevice | null = anon ? swapOf(mem) : null;
  // add_to_swap: a slot, and the page in the swap cache (it may be there already).
  const cachedSlot = swap === null ? undefined : swap.slotOfPage.get(pfn);
  const slot = swap === null ? -1 : (cachedSlot ?? swap.allocSlot());
  if (swap !== null && slot < 0) return 'fail';
  if (swap !== null && cachedSlot === undefined) addToSwapCache(mem, swap, slot, pfn);
  let result: UnmapResult = 'success';
  let range: MmuNotifierRange | null = null; // v6: the current mapping's (the walk visits one at a time)
  const walk = (): boolean | Promise<boolean> =>
    rmapWalk(mem, task, pfn, {
      before: v6
        ? (vma, address) => {
            range = notifierRange(vma.mm, address, address + PAGE_SIZE, 'clear');
            return andThen(notifyRangeStart(task, range), () => true);
          }
        : undefined,
      mapped: ({ vma, address, table, index }) => {
        if ((vma.flags & VM.locked) !== 0) {
          result = 'fail';
          return false;
        }
        if (v6 && anon && f.pincount[pfn]! > 0 && (f.flags[pfn]! & PG.anonExclusive) !== 0) {
          result = 'fail'; // folio_try_share_anon_rmap_pte(): maybe DMA-pinned
          return false;
        }
        const young = v6 ? false : clearFlushYoung(task, vma.mm, table, index, address, combiner);
        return andThen(young, (y) => {
          if (y) {
            result = 'fail';
            return false;
          }
          let old: number;
          if (swap !== null) {
            old = table.bits[index]!;
            swap.dupSlot(slot); // swap_duplicate: the entry's use
            swap.write(slot, f.content[pfn]!);
            setPte(mem, vma.mm, table, index, slot, PTE.swap, 'swapout');
            f.flags[pfn] = f.flags[pfn]! & ~PG.anonExclusive;
          } else {
            old = clearPte(mem, vma.mm, table, index, 'reclaim');
          }
          if ((old & PTE.dirty) !== 0) f.flags[pfn] = f.flags[pfn]! | PG.dirty;
          removeRmap(mem, pfn);
          recordFrame(mem, pfn, 'unmap', task);
          vma.mm.rss--;
          const told = v6 ? notifySecondaryTlbs(task, vma.mm, address, address + PAGE_SIZE) : notifyInvalidatePage(task, vma.mm, address);
          return andThen(told, () => {
            mem.allocator.put(task, pfn); // the mapping's reference
            return true;
          });
        });
      },
      after: v6
        ? () => {
            const r = range;
            range = null;
            return r === null ? undefined : notifyRangeEnd(task, r);
          }
        : undefined,
    });
  // A walk that made no swap entry leaves nothing for the swap cache to serve.
  const walked = swap === null ? walk() : ensure(walk, () => (swap.count[slot] === 1 ? deleteFromSwapCache(mem, task, swap, slot) : undefined));
  // rfc-2008: the exported page's external rmap hears after the walk, page lock only.
  return andThen(walked, () => (result === 'success' ? andThen(notifyExternalRmap(mem, task, pfn), () => result) : result));
}
