import type { Task } from '../kernel/sched/task.js';
import { andThen } from '../kernel/util/flow.js';
import { AnonVma, Inode } from './mm-types.js';
import { linkAnonVma } from './vma-ops.js';
import { PG } from './frames.js';
import { pageNumber, pteIndex } from './layout.js';
import type { MemoryState } from './memory-state.js';
import { PTE } from './pte.js';
import type { Vma } from './mm-types.js';

/*
 * Lock order (the model follows the era's, KERNEL.md §4):
 *
 *   today:  i_rwsem -> mmap_lock -> page lock -> i_mmap_rwsem / anon_vma->rwsem -> PT lock
 *   2008:   mmap_sem -> page lock -> i_mmap_lock / anon_vma->lock (spinlocks) -> PT lock
 *
 * A frame's reverse map is its `mapping` (an anon_vma or an inode, by id) and its
 * `index`; `mapcount` counts the PTEs that map it.
 */

/** `anon_vma_prepare()`: give `vma` an anon_vma before its first anonymous page. */
export function anonVmaPrepare(mem: MemoryState, task: Task, vma: Vma): void | Promise<void> {
  if (vma.anonVma !== null) return;
  const anonVma = mem.newAnonVma(null);
  return andThen(anonVma.lock.lockWrite(task), () => {
    if (vma.anonVma === null) {
      linkAnonVma(vma, anonVma);
      vma.anonVma = anonVma;
    }
    return anonVma.lock.unlockWrite(task);
  });
}

/** `folio_add_new_anon_rmap()` + `folio_add_lru_vma()`: a new anonymous page mapped once at `address` of `vma`, put on the LRU. */
export function addNewAnonRmap(mem: MemoryState, pfn: number, vma: Vma, address: number): void {
  const f = mem.frames;
  f.flags[pfn] = f.flags[pfn]! | PG.anon | PG.swapbacked | PG.anonExclusive;
  f.mapping[pfn] = vma.anonVma!.id;
  f.index[pfn] = vma.pageIndex(address);
  f.mapcount[pfn] = 1;
  // lru_cache_add_active_or_unevictable in 2.6.2x; new anon pages start inactive today.
  mem.lru.add(pfn, mem.era !== 'v6');
}

/** `page_dup_rmap()` / `folio_add_file_rmap()`: one more PTE maps the page. */
export function addRmap(mem: MemoryState, pfn: number): void {
  if (pfn !== mem.allocator.zeroPfn) mem.frames.mapcount[pfn]!++;
}

/** `folio_remove_rmap_pte()`: one PTE fewer maps the page. */
export function removeRmap(mem: MemoryState, pfn: number): void {
  if (pfn !== mem.allocator.zeroPfn) mem.frames.mapcount[pfn]!--;
}

/** One place a page is mapped, found by an rmap walk. */
export interface RmapHit {
  readonly vma: Vma;
  readonly address: number;
}

/**
 * The vmas and addresses that may map `pfn` and really do (`rmap_walk` with
 * `page_vma_mapped_walk`'s PTE check), without locking: the caller holds the rmap
 * lock (walkers in reclaim) or is `verify`. Anonymous pages are found through their
 * anon_vma's tree, file pages through `i_mmap`, both in O(log n + k).
 */
export function rmapHits(mem: MemoryState, pfn: number): RmapHit[] {
  const owner = mem.ownerOf(pfn);
  const hits: RmapHit[] = [];
  if (owner === undefined) return hits;
  const index = mem.frames.index[pfn]!;
  const visit = (vma: Vma): void => {
    const address = vma.addressOf(index);
    if (address < 0) return;
    const vpn = pageNumber(address);
    const table = vma.mm.pageTable.lookup(vpn);
    if (table === undefined) return;
    const i = pteIndex(vpn);
    if ((table.bits[i]! & PTE.present) !== 0 && table.word[i] === pfn) hits.push({ vma, address });
  };
  if (owner instanceof AnonVma) owner.tree.query(index, index, visit);
  else if (owner instanceof Inode) owner.iMmap.query(index, index, visit);
  return hits;
}
