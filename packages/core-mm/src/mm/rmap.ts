/*
 * The reverse map. A frame's reverse map is its `mapping` (an anon_vma or an inode, by
 * id) and its `index`; `mapcount` counts the PTEs that map it.
 *
 * Lock ordering in the model, one list per era, in the manner of mm/rmap.c's header:
 * a lock may be taken while holding any lock above it on its own branch; of two locks
 * on different branches, neither is taken while the other is held. Names are lockdep
 * class names (the names the locks are created with), the kernel's name of the era in
 * parentheses; `/1` is a nested acquisition (lockdep subclass 1).
 * `lock-order.ts` holds the same lists as data; `test/lock-order.test.ts` runs a
 * workload under lockdep in each era and checks every order lockdep saw against them.
 *
 * v6 (Linux 6.1x):
 *
 * i_rwsem                             (inode->i_rwsem: write, truncate, hole punch)
 *   mmap_lock                         (mm->mmap_lock; fork: the parent's, then the child's as /1)
 *     PG_locked                       (folio_lock)
 *       fs_reclaim                    (an allocation that may reclaim; reclaim, throughout)
 *         i_mmap_rwsem                (mapping->i_mmap_rwsem)
 *           anon_vma->rwsem           (the root anon_vma's)
 *             page_table_lock         (mm->page_table_lock: installing a PTE table)
 *               lru_lock
 *             ptl                     (a PTE table's lock; fork: the child's, then the parent's as /1)
 *               lru_lock              (lruvec->lru_lock)
 *             mmu_notifier_invalidate_range_start  (lockdep map held around range callbacks)
 *               mmu_notifier_srcu                  (the subscription list's read side)
 *                 mmu_notifier_subscriptions.lock  (mm->notifier_subscriptions->lock)
 *
 * v2.6.27 (the mmu-notifier merge):
 *
 * i_rwsem                             (inode->i_mutex)
 *   mmap_lock                         (mm->mmap_sem; fork: the parent's, then the child's as /1)
 *     PG_locked                       (lock_page)
 *       fs_reclaim                    (no such annotation then; see below)
 *         i_mmap_lock                 (mapping->i_mmap_lock, a spinlock)
 *           anon_vma->lock            (a spinlock)
 *             page_table_lock         (mm->page_table_lock)
 *               lru_lock
 *             ptl                     (pte_lock; fork: the child's, then the parent's as /1)
 *               lru_lock              (zone->lru_lock)
 *             mmu_notifier_subscriptions.lock      (mm->mmu_notifier_mm->lock)
 *
 * rfc-2008 (the February 2008 series): as v2.6.27, but the notifier list is read under
 * SRCU, so `mmu_notifier_srcu` sits between `anon_vma->lock` and
 * `mmu_notifier_subscriptions.lock`.
 *
 * What the lists mean for a secondary MMU: in v6 a range begins and ends with nothing
 * below the rmap locks held, never under a PT lock (`arch_invalidate_secondary_tlbs`
 * and the aging hook are the calls made under one); in 2008 `invalidate_page` and the
 * aging hook run under the PT lock and the rmap spinlock, and truncate's range under
 * `i_mmap_lock`.
 *
 * Where the model differs from the kernel, on purpose:
 * - It has only the locks above. There is no `mapping->invalidate_lock`, no per-VMA lock
 *   (`vma_start_write`), no hugetlb lock, no `swap_lock`, `mmlist_lock`,
 *   `private_lock`, i_pages lock, `inode->i_lock`, writeback list lock, `sb_lock` or
 *   `tasklist_lock`: the swap device, page cache, mm list and process list it models
 *   need none. `inode->i_alloc_sem` (2.6.27) is not modelled either.
 * - The page lock is a lockdep class (`PG_locked`, one bit per frame), which the
 *   kernel's lockdep does not track. Its place above `fs_reclaim` is the kernel's
 *   practice (a page may be locked across an allocation, as when it enters the page
 *   cache); reclaim, which holds `fs_reclaim`, only try-locks pages.
 * - `fs_reclaim` (the kernel's lockdep map since 4.14) is used in every era, placed
 *   by what reclaim does: it takes the rmap locks and PT locks for real (an allocation
 *   that may reclaim is never made under them) and only try-locks the page lock and
 *   `mmap_lock` (v6's aging also only tries the rmap lock). A `shrinkPage` called outside
 *   `Reclaim` enters reclaim after its page trylock: `PG_locked -> fs_reclaim`, in order.
 * - `i_rwsem` is a rwsem and `mmap_lock` is so named in every era (i_mutex and mmap_sem
 *   until 4.7 and 5.8); the rmap locks are spinlocks in 2008 and rwsems in v6, in the
 *   same places (see `rmapLocksSpin`).
 * - `lru_lock` exists but no operation takes it yet: adding to the LRU is lockless as the
 *   kernel's per-CPU batches are, and reclaim isolates a page by its page lock.
 * - The notifier classes belong to the mmu-notifier package (the range-start map only in
 *   v6; `v2.6.27` reads the list under `rcu_read_lock`, which lockdep does not order).
 *   Read-side acquisitions (SRCU, RCU) add no dependency into their class; the
 *   notifier core calls `synchronize_srcu` with none of the locks above held.
 * - A trylock adds no dependency into its class (it cannot wait), so these are outside
 *   the lists: reclaim's page trylock, v6 aging's rmap trylock, the OOM reaper's
 *   `mmap_read_trylock`. Locks taken while one is held are ordered after it all the same.
 * - Locks of drivers (a mirror's mutex or spinlock) are not in the lists: where a driver
 *   takes its locks among these is its own contract, checked by lockdep's cycles.
 */

import type { Task } from '../kernel/sched/task.js';
import { andThen } from '../kernel/util/flow.js';
import { isAnonVma, isInode } from './mm-types.js';
import { linkAnonVma } from './vma-ops.js';
import { PG } from './frames.js';
import { pageNumber, pteIndex } from './layout.js';
import type { MemoryState } from './memory-state.js';
import { PTE } from './pte.js';
import type { Vma } from './mm-types.js';

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
  if (isAnonVma(owner)) owner.tree.query(index, index, visit);
  else if (isInode(owner)) owner.iMmap.query(index, index, visit);
  return hits;
}
