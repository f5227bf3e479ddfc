import type { Task } from '../sched/task.js';
import { andThen, ensure } from '../util/flow.js';
import { PG } from './frames.js';
import type { Memory } from './memory.js';
import type { ScanVerdict } from './observe.js';
import { type AgingCombiner, pageReferenced } from './page-referenced.js';
import { tryToUnmap } from './try-to-unmap.js';

/** Options of one reclaim pass over a page. */
export interface ShrinkOptions {
  /** How the aging hook combines with the primary young bit (default `'or'`). */
  readonly combiner?: AgingCombiner;
  /**
   * `'shrink-page-list'` (default): `page_referenced()` first, then `try_to_unmap()`
   * if unreferenced, as `shrink_page_list()` does. `'try-to-unmap'`: only
   * `try_to_unmap()`, whose 2008 young check stops at the first young mapping.
   */
  readonly walk?: 'shrink-page-list' | 'try-to-unmap';
}

/**
 * One pass of one page through `shrink_page_list()` (`shrink_folio_list()`): trylock
 * the page, check references, unmap, and — for a clean file page nobody maps any more —
 * drop it from the page cache so it is freed (`remove_mapping`). The verdict is an
 * observation-face `scan` event. Runs inside reclaim: `fs_reclaim` is held and the
 * task is `PF_MEMALLOC`. Anonymous pages (swap) and dirty pages (writeback) are kept
 * for now.
 */
export function shrinkPage(mem: Memory, task: Task, pfn: number, options: ShrinkOptions = {}): ScanVerdict | Promise<ScanVerdict> {
  const f = mem.frames;
  const generation = f.generation[pfn]!;
  const emit = (verdict: ScanVerdict): ScanVerdict => {
    if (mem.observers.active) mem.observers.emit({ kind: 'scan', pfn, generation, verdict, time: mem.machine.clock.now });
    return verdict;
  };
  if (!mem.pageLock.trylock(task, pfn)) return emit('keep');
  const wasMemalloc = task.memalloc;
  task.memalloc = true;
  mem.machine.fsReclaim.acquire(task);
  mem.allocator.get(pfn); // isolated: reclaim's own reference
  const pass = (): ScanVerdict | Promise<ScanVerdict> => {
    const referenced = options.walk === 'try-to-unmap' ? 0 : pageReferenced(mem, task, pfn, options.combiner);
    return andThen(referenced, (refs) => {
      if (refs > 0) return 'activate' as const;
      return andThen(tryToUnmap(mem, task, pfn, options.combiner), (result): ScanVerdict => {
        if (result === 'fail' || f.mapcount[pfn]! > 0) return 'activate';
        if ((f.flags[pfn]! & (PG.dirty | PG.anon)) !== 0) return 'keep';
        const owner = mem.ownerOf(pfn);
        if (owner === undefined || !('pageCache' in owner)) return 'keep';
        owner.pageCache.delete(f.index[pfn]!);
        f.mapping[pfn] = 0;
        mem.allocator.put(task, pfn); // the page cache's reference
        return 'freed';
      });
    });
  };
  return andThen(
    ensure(pass, () =>
      andThen(mem.pageLock.unlock(task, pfn), () => {
        mem.allocator.put(task, pfn); // reclaim's reference: the last one frees a dropped page
        mem.machine.fsReclaim.release(task);
        task.memalloc = wasMemalloc;
      }),
    ),
    (verdict) => {
      if (verdict === 'activate' && (f.flags[pfn]! & PG.lru) !== 0) mem.lru.move(pfn, true);
      return emit(verdict);
    },
  );
}
