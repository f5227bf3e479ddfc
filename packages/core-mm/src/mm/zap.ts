import type { Task } from '../kernel/sched/task.js';
import { andThen } from '../kernel/util/flow.js';
import { PG } from './frames.js';
import { PAGE_SIZE, PTRS_PER_TABLE, pageNumber } from './layout.js';
import type { MemoryState } from './memory-state.js';
import { notifySecondaryTlbs } from './notify.js';
import type { PteCause } from './observe.js';
import type { PteTable } from './page-table.js';
import { clearPte, recordFrame } from './pte-ops.js';
import { isSwapPte, PTE } from './pte.js';
import type { SwapDevice } from './swap-device.js';
import { dropSwapEntry, swapOf } from './swap.js';
import { removeRmap } from './rmap.js';
import type { Vma } from './mm-types.js';

/** What to leave mapped: truncate keeps a private mapping's COWed anonymous pages (`zap_details.even_cows` false). */
export interface ZapDetails {
  readonly keepAnon?: boolean;
}

/**
 * `zap_page_range_single()` / `unmap_page_range()` over `[start, end)` of `vma`, PTE
 * table by PTE table under each PT lock: clear the entries, move a dirty bit to the
 * page (`set_page_dirty`), drop the rmap and count, then flush the TLB (with the
 * secondary TLBs that share the page table, v6) and only then drop the page
 * references, as `tlb_finish_mmu` frees gathered pages after the flush. A swap entry
 * is cleared and its slot use dropped (`free_swap_and_cache`) — unless `keepAnon`:
 * a swapped-out COW copy is anonymous and stays, as a present one does. The caller
 * brackets the call with the era's notifier range.
 */
export function zapRange(mem: MemoryState, task: Task, vma: Vma, start: number, end: number, cause: PteCause, details?: ZapDetails): void | Promise<void> {
  const tables: PteTable[] = [];
  vma.mm.pageTable.forEachTable(pageNumber(start), pageNumber(end), (t) => void tables.push(t));
  const step = (k: number): void | Promise<void> => {
    for (; k < tables.length; k++) {
      const r = zapTable(mem, task, vma, tables[k]!, start, end, cause, details);
      if (r instanceof Promise) return r.then(() => step(k + 1));
    }
  };
  return step(0);
}

function zapTable(mem: MemoryState, task: Task, vma: Vma, table: PteTable, start: number, end: number, cause: PteCause, details: ZapDetails | undefined): void | Promise<void> {
  return andThen(table.ptl.lock(task), () => {
    const from = Math.max(pageNumber(start), table.base) - table.base;
    const to = Math.min(pageNumber(end), table.base + PTRS_PER_TABLE) - table.base;
    const gathered: number[] = [];
    const f = mem.frames;
    let swap: SwapDevice | undefined;
    let flush = false; // a present entry was cleared: the TLB must be flushed (zero page included)
    for (let i = from; i < to; i++) {
      const bits = table.bits[i]!;
      if (bits === 0) continue;
      if ((bits & PTE.present) === 0) {
        if (isSwapPte(bits)) {
          if (details?.keepAnon === true) continue; // a swapped-out COW copy stays (`should_zap_cows`)
          const slot = table.word[i]!;
          swap ??= swapOf(mem);
          dropSwapEntry(mem, task, swap, slot); // free_swap_and_cache
          clearPte(mem, vma.mm, table, i, cause);
          continue;
        }
        // A migration entry: its page still counts in rss (try_to_migrate leaves the counters), so the zap drops it.
        if (details?.keepAnon === true && (f.flags[table.word[i]!]! & PG.anon) !== 0) continue;
        clearPte(mem, vma.mm, table, i, cause);
        vma.mm.rss--;
        continue;
      }
      const pfn = table.word[i]!;
      if (details?.keepAnon === true && (f.flags[pfn]! & PG.anon) !== 0) continue;
      clearPte(mem, vma.mm, table, i, cause);
      flush = true;
      if ((bits & PTE.special) !== 0) continue;
      if ((bits & PTE.dirty) !== 0 && (f.flags[pfn]! & PG.anon) === 0) f.flags[pfn] = f.flags[pfn]! | PG.dirty;
      removeRmap(mem, pfn);
      if (f.mapcount[pfn] === 0) f.flags[pfn] = f.flags[pfn]! & ~PG.mlocked;
      recordFrame(mem, pfn, 'unmap', task);
      vma.mm.rss--;
      gathered.push(pfn);
    }
    const flushStart = (table.base + from) * PAGE_SIZE;
    const flushEnd = (table.base + to) * PAGE_SIZE;
    return andThen(flush ? notifySecondaryTlbs(task, vma.mm, flushStart, flushEnd) : undefined, () =>
      andThen(table.ptl.unlock(task), () => {
        for (const pfn of gathered) mem.allocator.put(task, pfn);
      }),
    );
  });
}
