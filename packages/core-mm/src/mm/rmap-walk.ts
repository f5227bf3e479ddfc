import type { Task } from '../kernel/sched/task.js';
import { andThen, ensure } from '../kernel/util/flow.js';
import { isAnonVma } from './mm-types.js';
import { pageNumber, pteIndex } from './layout.js';
import type { MemoryState } from './memory-state.js';
import type { PteTable } from './page-table.js';
import { PTE } from './pte.js';
import type { Vma } from './mm-types.js';

/** One mapping of the page, as `page_vma_mapped_walk` finds it; the PT lock is held. */
export interface RmapMapping {
  readonly vma: Vma;
  readonly address: number;
  readonly table: PteTable;
  readonly index: number;
}

/** Hooks of an rmap walk. Each may suspend; returning false stops the walk. */
export interface RmapVisitor {
  /** Before the mapping's PT lock is taken (v6's per-vma notifier range starts here). */
  before?(vma: Vma, address: number): boolean | void | Promise<boolean | void>;
  /** Under the PT lock, when the entry really maps the page. */
  mapped(m: RmapMapping): boolean | void | Promise<boolean | void>;
  /** After the PT lock is dropped (the range ends here). */
  after?(vma: Vma, address: number): void | Promise<void>;
}

/**
 * `rmap_walk()`: every (vma, address) that may map `pfn`, from its anon_vma's or
 * file's interval tree, with the era's rmap lock held for reading across the walk
 * (a spinlock in 2008, so nothing under it may sleep). With `tryLock` the lock is
 * only tried (`rwc->try_lock`): false when it was contended and nothing was visited.
 */
export function rmapWalk(mem: MemoryState, task: Task, pfn: number, visitor: RmapVisitor, tryLock = false): boolean | Promise<boolean> {
  const owner = mem.ownerOf(pfn);
  if (owner === undefined) return true;
  const lock = isAnonVma(owner) ? owner.lock : owner.iMmapLock;
  const tree = isAnonVma(owner) ? owner.tree : owner.iMmap;
  const index = mem.frames.index[pfn]!;
  if (tryLock && !lock.tryLockRead(task)) return false;
  const locked = tryLock ? undefined : lock.lockRead(task);
  return andThen(locked, () =>
    ensure(
      () => {
        const vmas = tree.overlapping(index, index);
        const step = (k: number): true | Promise<true> => {
          for (; k < vmas.length; k++) {
            const vma = vmas[k]!;
            const address = vma.addressOf(index);
            if (address < 0) continue;
            const r = visitOne(mem, task, pfn, vma, address, visitor);
            if (r instanceof Promise) return r.then((go) => (go ? step(k + 1) : true));
            if (!r) return true;
          }
          return true;
        };
        return step(0);
      },
      () => lock.unlockRead(task),
    ),
  );
}

function visitOne(mem: MemoryState, task: Task, pfn: number, vma: Vma, address: number, visitor: RmapVisitor): boolean | Promise<boolean> {
  const table = vma.mm.pageTable.lookup(pageNumber(address));
  if (table === undefined) return true;
  const i = pteIndex(pageNumber(address));
  const mapsIt = (): boolean => (table.bits[i]! & PTE.present) !== 0 && table.word[i] === pfn;
  if (!mapsIt()) return true;
  return andThen(visitor.before?.(vma, address), (goBefore) => {
    if (goBefore === false) return false;
    const underPtl = andThen(table.ptl.lock(task), () =>
      ensure(
        () => (mapsIt() ? visitor.mapped({ vma, address, table, index: i }) : true),
        () => table.ptl.unlock(task),
      ),
    );
    return andThen(underPtl, (go) => andThen(visitor.after?.(vma, address), () => go !== false));
  });
}
