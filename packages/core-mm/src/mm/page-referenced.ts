import type { Task } from '../kernel/sched/task.js';
import { andThen } from '../kernel/util/flow.js';
import { PAGE_SIZE } from './layout.js';
import type { MemoryState } from './memory-state.js';
import { notifyClearFlushYoung } from './notify.js';
import { PG } from './frames.js';
import { PTE } from './pte.js';
import type { PteTable } from './page-table.js';
import { rmapWalk } from './rmap-walk.js';
import { VM } from './mm-types.js';
import type { Mm } from './mm-types.js';

/**
 * How the primary young bit and the secondary MMU's aging hook are combined:
 * `'or'` is the patch's `ptep_clear_flush_young(...) | mmu_notifier_age_page(...)`,
 * both always called, so both bits are cleared; `'short-circuit'` is the `||` the seed
 * thread argued against, which skips the hook — and leaves the secondary bit set —
 * whenever the primary bit was young.
 */
export type AgingCombiner = 'or' | 'short-circuit';

/**
 * `ptep_clear_flush_young(…) | mmu_notifier_clear_flush_young(…)` for one mapping,
 * under its PT lock: true if the page was accessed through it since the last check.
 */
export function clearFlushYoung(task: Task, mm: Mm, table: PteTable, index: number, address: number, combiner: AgingCombiner): boolean | Promise<boolean> {
  const primary = (table.bits[index]! & PTE.young) !== 0;
  if (primary) table.bits[index] = table.bits[index]! & ~PTE.young;
  if (primary && combiner === 'short-circuit') return true;
  return andThen(notifyClearFlushYoung(task, mm, address, address + PAGE_SIZE), (secondary) => primary || secondary);
}

/**
 * `page_referenced()` / `folio_referenced()`: visit every mapping of the page (rmap
 * walk, rmap lock held, each mapping under its PT lock) and count those accessed since
 * the last scan, testing and clearing each young bit with the era's aging hook combined
 * by `combiner`. A `VM_LOCKED` mapping counts as referenced and ends the walk (2008's
 * `*mapcount = 1`, v6's mlock of the folio). The caller may hold the page lock. With
 * `tryLock` (`rwc->try_lock`, v6's `shrink_active_list`) a contended rmap lock is not
 * waited for and the page counts as referenced.
 *
 * The 2008 eras also test and clear `PG_referenced` first (`TestClearPageReferenced`,
 * set by `mark_page_accessed`), one more reference; v6 leaves that bit to its caller
 * (`folio_check_references`). With `memcg` (memcg-scoped reclaim, 2.6.25+), mappings
 * of mms outside that cgroup are skipped (`mm_match_cgroup` in
 * `page_referenced_one`; v6's `invalid_folio_referenced_vma`).
 */
export function pageReferenced(mem: MemoryState, task: Task, pfn: number, combiner: AgingCombiner = 'or', tryLock = false, memcg?: number): number | Promise<number> {
  const f = mem.frames;
  let referenced = 0;
  if (mem.era !== 'v6' && (f.flags[pfn]! & PG.referenced) !== 0) {
    f.flags[pfn] = f.flags[pfn]! & ~PG.referenced;
    referenced++;
  }
  const walked = rmapWalk(
    mem,
    task,
    pfn,
    {
      mapped: ({ vma, address, table, index }) => {
        if (memcg !== undefined && vma.mm.memcg !== memcg) return true;
        if ((vma.flags & VM.locked) !== 0) {
          referenced++;
          return false;
        }
        return andThen(clearFlushYoung(task, vma.mm, table, index, address, combiner), (young) => {
          if (young) referenced++;
          return true;
        });
      },
    },
    tryLock,
  );
  // A contended rmap lock under `rwc->try_lock` counts as referenced: try again later.
  return andThen(walked, (done) => (done ? referenced : 1));
}
