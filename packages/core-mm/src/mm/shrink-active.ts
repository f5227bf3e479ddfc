import type { Task } from '../kernel/sched/task.js';
import { andThen, ensure } from '../kernel/util/flow.js';
import { PG } from './frames.js';
import type { MemoryState } from './memory-state.js';
import { VM } from './mm-types.js';
import { pageReferenced, type AgingCombiner } from './page-referenced.js';
import { rmapHits } from './rmap.js';

/** Options of {@link shrinkActivePage}. */
export interface ShrinkActiveOptions {
  /** How the primary young bit and the secondary hook combine (default `'or'`). */
  readonly combiner?: AgingCombiner;
  /** Memcg-scoped reclaim: age only through the mappings of mms in this cgroup. */
  readonly memcg?: number;
}

/**
 * What one page's trip through the active-list aging did: moved to the inactive list,
 * kept active, or skipped (not on the LRU, already free, or taken off it meanwhile).
 */
export type ActiveVerdict = 'deactivate' | 'keep-active' | 'skip';

/**
 * One page of `shrink_active_list`: isolate it with a reference (`folio_try_get`; a
 * page freed since it was found is skipped), age it, and put it on the list the aging
 * chose. An unmapped page is deactivated at once.
 *
 * - 2.6.2x, with `reclaim_mapped` set (the model always sets it; without it mapped
 *   pages never leave the active list): `page_referenced(page, 0)` without the page
 *   lock — a file page is only trylocked, and a failed trylock counts as referenced —
 *   and a mapped page still referenced stays active.
 * - v6: `folio_referenced` with `rwc->try_lock`; every page is deactivated except a
 *   referenced page of an executable file mapping.
 *
 * Difference from the kernel, as in `shrinkPage`: the page stays on its list while
 * aged. Kernel counterpart: the per-folio body of `shrink_active_list()`.
 */
export function shrinkActivePage(mem: MemoryState, task: Task, pfn: number, options: ShrinkActiveOptions = {}): ActiveVerdict | Promise<ActiveVerdict> {
  const f = mem.frames;
  if ((f.flags[pfn]! & PG.lru) === 0 || !mem.allocator.tryGet(pfn)) return 'skip';
  const place = (active: boolean): ActiveVerdict => {
    if ((f.flags[pfn]! & PG.lru) === 0) return 'skip'; // taken off the LRU while aged (migrated)
    mem.lru.move(pfn, active);
    return active ? 'keep-active' : 'deactivate';
  };
  if (f.mapcount[pfn] === 0) {
    const verdict = place(false);
    mem.allocator.put(task, pfn);
    return verdict;
  }
  const combiner = options.combiner ?? 'or';
  return ensure(
    () => (mem.era === 'v6' ? ageV6(mem, task, pfn, combiner, options.memcg, place) : age2008(mem, task, pfn, combiner, options.memcg, place)),
    () => mem.allocator.put(task, pfn), // the isolation reference: the last one frees a page zapped meanwhile
  );
}

function age2008(mem: MemoryState, task: Task, pfn: number, combiner: AgingCombiner, memcg: number | undefined, place: (active: boolean) => ActiveVerdict): ActiveVerdict | Promise<ActiveVerdict> {
  const file = !mem.isAnon(pfn);
  if (file && !mem.pageLock.trylock(task, pfn)) return place(true); // contended: referenced
  const aged = andThen(pageReferenced(mem, task, pfn, combiner, false, memcg), (refs) => place(refs > 0));
  return file ? ensure(() => aged, () => mem.pageLock.unlock(task, pfn)) : aged;
}

function ageV6(mem: MemoryState, task: Task, pfn: number, combiner: AgingCombiner, memcg: number | undefined, place: (active: boolean) => ActiveVerdict): ActiveVerdict | Promise<ActiveVerdict> {
  return andThen(pageReferenced(mem, task, pfn, combiner, true, memcg), (refs) => place(refs > 0 && !mem.isAnon(pfn) && mappedExec(mem, pfn)));
}

/** Whether some mapping of the file page is executable (`VM_EXEC`): v6 keeps those active when referenced. */
function mappedExec(mem: MemoryState, pfn: number): boolean {
  return rmapHits(mem, pfn).some((h) => (h.vma.flags & VM.exec) !== 0);
}
