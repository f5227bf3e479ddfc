import type { Task } from '../sched/task.js';
import { andThen } from '../util/flow.js';
import { PG } from './frames.js';
import { PAGE_SIZE } from './layout.js';
import type { Memory } from './memory.js';
import { notifierRange, notifyInvalidatePage, notifyRangeEnd, notifyRangeStart, notifySecondaryTlbs } from './notify.js';
import type { MmuNotifierRange } from './port.js';
import { type AgingCombiner, clearFlushYoung } from './page-referenced.js';
import { clearPte, recordFrame } from './pte-ops.js';
import { PTE } from './pte.js';
import { removeRmap } from './rmap.js';
import { rmapWalk } from './rmap-walk.js';
import { VM } from './vma.js';

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
 * A dirty PTE moves its dirty bit to the page. This step handles file pages; anonymous
 * pages need swap, which comes with the swap device.
 */
export function tryToUnmap(mem: Memory, task: Task, pfn: number, combiner: AgingCombiner = 'or'): UnmapResult | Promise<UnmapResult> {
  if (mem.isAnon(pfn)) return 'fail';
  const v6 = mem.era === 'v6';
  let result: UnmapResult = 'success';
  const ranges = new Map<string, MmuNotifierRange>();
  const walked = rmapWalk(mem, task, pfn, {
    before: v6
      ? (vma, address) => {
          const range = notifierRange(vma.mm, address, address + PAGE_SIZE, 'clear');
          ranges.set(`${vma.mm.id}:${address}`, range);
          return andThen(notifyRangeStart(task, range), () => true);
        }
      : undefined,
    mapped: ({ vma, address, table, index }) => {
      if ((vma.flags & VM.locked) !== 0) {
        result = 'fail';
        return false;
      }
      const young = v6 ? false : clearFlushYoung(task, vma.mm, table, index, address, combiner);
      return andThen(young, (y) => {
        if (y) {
          result = 'fail';
          return false;
        }
        const old = clearPte(mem, vma.mm, table, index, 'reclaim');
        if ((old & PTE.dirty) !== 0) mem.frames.flags[pfn] = mem.frames.flags[pfn]! | PG.dirty;
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
      ? (vma, address) => {
          const range = ranges.get(`${vma.mm.id}:${address}`);
          return range === undefined ? undefined : notifyRangeEnd(task, range);
        }
      : undefined,
  });
  return andThen(walked, () => result);
}
