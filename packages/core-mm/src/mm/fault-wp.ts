import { andThen, ensure } from '../kernel/util/flow.js';
import { mapNewAnon } from './fault-anon.js';
import { PG } from './frames.js';
import { PAGE_SIZE } from './layout.js';
import type { MemoryState } from './memory-state.js';
import { notifierRange, notifyInvalidatePage, notifyRangeEnd, notifyRangeStart, notifySecondaryTlbs } from './notify.js';
import { clearPte, recordFrame, updatePteBits } from './pte-ops.js';
import { PTE } from './pte.js';
import { anonVmaPrepare, removeRmap } from './rmap.js';
import { swapOf } from './swap.js';
import { FAULT_FLAG, USER, USER_WRITE, type VmFault } from './vm-fault.js';

/**
 * `do_wp_page()`: a write to a present read-only entry of a writable vma. A shared
 * mapping makes the entry writable and dirties the page (`wp_page_shared`); a private
 * anonymous page nobody else maps is reused (`wp_page_reuse`); anything else is
 * copied (`wp_page_copy`). Each rechecks the entry against `vmf.orig_pte` under the
 * PT lock (`pte_same`) and does nothing if it changed: the access retries.
 */
export function doWpPage(vmf: VmFault): void | Promise<void> {
  const { mem, task, vma, table, index: i, origBits: bits, origWord: pfn } = vmf;
  const special = (bits & PTE.special) !== 0;
  vmf.page = special ? -1 : pfn; // vm_normal_page(): none for the zero page
  if (!special && !vma.isPrivate) {
    // wp_page_shared: page_mkwrite returns the page locked; it stays locked until fault_dirty_shared_page.
    mem.allocator.get(pfn);
    return ensure(
      () =>
        andThen(mem.pageLock.lock(task, pfn), () =>
          ensure(
            () =>
              andThen(table.ptl.lock(task), () => {
                if (table.bits[i] === bits && table.word[i] === pfn) {
                  updatePteBits(mem, vma.mm, table, i, bits | PTE.write | PTE.dirty | PTE.young, 'mkwrite');
                  mem.frames.flags[pfn] = mem.frames.flags[pfn]! | PG.dirty;
                }
                return table.ptl.unlock(task);
              }),
            () => mem.pageLock.unlock(task, pfn),
          ),
        ),
      () => mem.allocator.put(task, pfn),
    );
  }
  if (!special && canReuse(mem, pfn)) {
    return andThen(table.ptl.lock(task), () => {
      if (table.bits[i] === bits && table.word[i] === pfn) updatePteBits(mem, vma.mm, table, i, bits | PTE.write | PTE.dirty | PTE.young, 'wp-reuse');
      return table.ptl.unlock(task);
    });
  }
  return wpPageCopy(vmf);
}

/**
 * May a private write reuse the page in place? Only an anonymous page mapped once.
 * v6 reuses a `PageAnonExclusive` page outright (so a pinned page keeps its frame), or
 * one whose only reference is this mapping, which then becomes exclusive
 * (`wp_can_reuse_anon_folio`); 2008 needed `page_mapcount() == 1` checked under
 * `trylock_page` — a page whose lock someone else held (reclaim, migration, swap-in)
 * was copied rather than waited for (2.6.29 made it wait with `lock_page`).
 */
function canReuse(mem: MemoryState, pfn: number): boolean {
  const f = mem.frames;
  if ((f.flags[pfn]! & PG.anon) === 0 || f.mapcount[pfn] !== 1) return false;
  // 2008: the reuse check ran under `trylock_page` (`TestSetPageLocked`); a contended page lock meant a copy.
  if (mem.era !== 'v6' && (f.flags[pfn]! & PG.locked) !== 0) return false;
  if ((f.flags[pfn]! & PG.swapcache) !== 0) {
    // reuse_swap_page(): swap entries still naming the page's slot are users too.
    const swap = swapOf(mem);
    const slot = swap.slotOfPage.get(pfn);
    if (slot !== undefined && swap.count[slot]! - 1 > 0) return false;
  }
  if (mem.era !== 'v6' || (f.flags[pfn]! & PG.anonExclusive) !== 0) return true;
  if (f.refcount[pfn] !== 1) return false;
  f.flags[pfn] = f.flags[pfn]! | PG.anonExclusive;
  return true;
}

/**
 * `wp_page_copy()`: replace the entry's page (`vmf.page`, -1 for the zero page) by a
 * new anonymous copy, mapped writable — or, for `FAULT_FLAG_UNSHARE`, with the old
 * entry's permission — with each era's notifier placement. Every era first prepares
 * the anon_vma, allocates the new page and copies the old one into it (zeroes it for
 * the zero page) without the PT lock — `folio_prealloc` and `__wp_page_copy_user` in
 * v6, `alloc_page_vma` and `cow_user_page` in 2.6.2x — and only then: v6 begins a
 * CLEAR range (before retaking the PT lock), rechecks the entry, switches it under
 * the PT lock with the secondary TLB flush there, and ends the range; rfc-2008
 * brackets the recheck and switch with a blockable range too; v2.6.27 calls
 * `invalidate_page` from `ptep_clear_flush_notify()` under the PT lock, between
 * clearing the old entry and setting the new one. The copy is outside the range: a
 * subscriber that sleeps in its start (waiting for remote acknowledgements) does not
 * delay it, and the allocation (which may reclaim) never runs with this range in
 * progress.
 */
export function wpPageCopy(vmf: VmFault): void | Promise<void> {
  const { mem, task, vma, table, index: i, address, origBits: bits, origWord: word } = vmf;
  const mm = vma.mm;
  const old = vmf.page;
  const era = mem.era;
  const mapBits = (vmf.flags & FAULT_FLAG.unshare) !== 0 ? bits & (USER | PTE.write | PTE.dirty) : USER_WRITE;
  if (old >= 0) mem.allocator.get(old); // held across the copy
  const release = (): void => {
    if (old >= 0) mem.allocator.put(task, old);
  };
  /** Under the PT lock (inside the range where there is one): the recheck and the switch to `pfn`, or `pfn` put back. */
  const map = (pfn: number): void | Promise<void> =>
    andThen(table.ptl.lock(task), () => {
      if (table.bits[i] !== bits || table.word[i] !== word) {
        mem.allocator.put(task, pfn);
        return table.ptl.unlock(task);
      }
      clearPte(mem, mm, table, i, 'cow');
      const flushed = era === 'v2.6.27' ? notifyInvalidatePage(task, mm, address) : notifySecondaryTlbs(task, mm, address, address + PAGE_SIZE);
      return andThen(flushed, () => {
        mapNewAnon(vmf, pfn, 'cow', mapBits);
        if (old >= 0) {
          mm.rss--; // the old page leaves (the zero page was never counted)
          removeRmap(mem, old);
          recordFrame(mem, old, 'cow', task);
          mem.allocator.put(task, old); // the old mapping's reference
        }
        return table.ptl.unlock(task);
      });
    });
  const copyAndMap = (): void | Promise<void> =>
    andThen(anonVmaPrepare(mem, task, vma), () =>
      andThen(mem.allocator.alloc(task, 'user', false), (pfn) => {
        mem.frames.content[pfn] = old < 0 ? 0 : mem.frames.content[old]!;
        // mmu_notifier_invalidate_range_start() tests mm_has_notifiers() here, after the copy.
        const range = era === 'v2.6.27' || mm.secondary === null ? null : notifierRange(mm, address, address + PAGE_SIZE, 'clear');
        if (range === null) return map(pfn);
        let begun = false;
        return ensure(
          () =>
            andThen(notifyRangeStart(task, range), () => {
              begun = true;
              return ensure(() => map(pfn), () => notifyRangeEnd(task, range));
            }),
          () => {
            if (!begun) mem.allocator.put(task, pfn); // the range never began: the new page is still ours
          },
        );
      }),
    );
  return ensure(copyAndMap, release);
}
