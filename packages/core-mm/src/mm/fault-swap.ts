import { SmmuError } from '../kernel/errors.js';
import { andThen, ensure } from '../kernel/util/flow.js';
import { mapNewAnon } from './fault-anon.js';
import { PG } from './frames.js';
import { hex } from './layout.js';
import { VM } from './mm-types.js';
import { recordFrame, setPte } from './pte-ops.js';
import { isSwapPte, PTE } from './pte.js';
import { addRmap, anonVmaPrepare } from './rmap.js';
import { addToSwapCache, dropSwapEntry, swapOf } from './swap.js';
import { FAULT_FLAG, USER, USER_WRITE, type VmFault } from './vm-fault.js';

/**
 * `do_swap_page()`: the entry is a swap entry (its slot is `vmf.origWord`). Allocate
 * a page (may sleep and reclaim), then under the PT lock check the entry is still that
 * swap entry — another fault may have swapped it in, or a zap removed it, while the
 * allocation waited: then the page is put back and the access retries — read the
 * slot's content into the page (`swap_read_folio`), map it as a new anonymous page,
 * drop the entry's use of the slot (`swap_free`) and count it in rss. The page is
 * dirty (`PG_dirty` and the PTE's bit): with the slot use gone it is the only copy
 * this mm has, as the kernel dirties a page it takes out of the swap cache
 * (`folio_free_swap`).
 *
 * Write permission needs `VM_WRITE` and the slot's count at 1 — this entry its only
 * user, so the page is exclusive (`PageAnonExclusive`); with other users (a fork's
 * entries) the page is mapped read-only, not exclusive, and a write goes through
 * `do_wp_page()`. v6 maps an exclusive page writable on a read fault too (`pte_mkwrite`
 * whenever `VM_WRITE`); 2.6.2x only on a write fault (`if (write_access &&
 * can_share_swap_page(page)) maybe_mkwrite(...)`), a read fault mapping it read-only.
 *
 * The swap cache: a page already cached under the slot is mapped from there
 * ({@link mapFromSwapCache}); a new page read for a slot other entries still name (a
 * fork's) enters the cache, so they map it too. The allocation may sleep, and another
 * task sharing the slot may swap it in meanwhile: under the PT lock the cache is looked
 * at again before the new page is read and added — the kernel's `swapcache_prepare()`
 * (`SWAP_HAS_CACHE`) answering `-EEXIST` in `__read_swap_cache_async()`, which then
 * finds the other task's page in the cache — and if a page is cached under the slot
 * now, the new page is put back and the cached one mapped instead; adding a second
 * page under the slot would leave two cache uses of it.
 *
 * Differences from the kernel: no readahead, and a page for a slot this entry alone
 * uses is mapped without entering the swap cache (as `SWP_SYNCHRONOUS_IO` devices skip
 * it) and read under the PT lock after the entry's recheck, so a slot freed and reused
 * while the allocation slept is read as it is now.
 */
export function doSwapPage(vmf: VmFault): void | Promise<void> {
  const { mem, task, vma, table, index: i, origWord: slot } = vmf;
  const swap = swapOf(mem);
  if (!swap.inUse(slot)) throw new SmmuError('EFAULT', `${task.name}: fault at ${hex(vmf.address)} on a swap entry for slot ${slot}, which is not in use (model bug)`);
  const cached = swap.cache.get(slot);
  if (cached !== undefined) {
    mem.allocator.get(cached); // swap_cache_get_folio: the cache's reference keeps it alive until now
    vmf.page = cached;
    return mapFromSwapCache(vmf);
  }
  return andThen(anonVmaPrepare(mem, task, vma), () =>
    andThen(mem.allocator.alloc(task, 'user', false), (pfn) =>
      andThen(table.ptl.lock(task), () => {
        if (!isSwapPte(table.bits[i]!) || table.word[i] !== slot) mem.allocator.put(task, pfn); // swapped in or zapped meanwhile
        else if (swap.cache.has(slot)) {
          // swapcache_prepare() -EEXIST: another task (a fork sharing the slot) put its page in
          // the swap cache while the allocation slept. Ours goes back; theirs is mapped.
          const theirs = swap.cache.get(slot)!;
          mem.allocator.put(task, pfn);
          mem.allocator.get(theirs);
          vmf.page = theirs;
          return andThen(table.ptl.unlock(task), () => mapFromSwapCache(vmf));
        } else {
          const f = mem.frames;
          const exclusive = swap.count[slot] === 1;
          const writable = exclusive && (vma.flags & VM.write) !== 0 && ((vmf.flags & FAULT_FLAG.write) !== 0 || mem.era === 'v6');
          f.content[pfn] = swap.read(slot);
          mapNewAnon(vmf, pfn, 'swapin', writable ? USER_WRITE : USER | PTE.dirty);
          f.flags[pfn] = (f.flags[pfn]! | PG.dirty) & ~(exclusive ? 0 : PG.anonExclusive);
          if (!exclusive) {
            // Other swap entries still name the slot: the page enters the swap cache, so they
            // map this frame too (read_swap_cache_async), under the root anon_vma
            // (__page_set_anon_rmap for a page that is not exclusive).
            f.mapping[pfn] = vma.anonVma!.root.id;
            swap.dupSlot(slot); // the cache's use (SWAP_HAS_CACHE)
            addToSwapCache(mem, swap, slot, pfn);
          }
          dropSwapEntry(mem, task, swap, slot);
        }
        return table.ptl.unlock(task);
      }),
    ),
  );
}

/**
 * `do_swap_page()` on a page in the swap cache (`swap_cache_get_folio`): map that very
 * frame, `vmf.page` — a 2008 pinned page comes back to its pin — writable only if
 * nothing else uses it (`reuse_swap_page`: this entry and the cache alone, not mapped
 * elsewhere).
 *
 * The caller holds a reference to the page (the lookup's `folio_try_get`), dropped
 * here. The page is locked first (`folio_lock_or_retry`: reclaim, migration or
 * another swap-in may hold it), then, under the lock, must still be this slot's cache
 * page (`folio_test_swapcache(folio) && page_swap_entry(page).val == entry.val`) —
 * reclaim may have freed it from the cache, or migration moved it, while this task
 * waited — and under the PT lock the entry must still be this swap entry
 * (`pte_same`); otherwise nothing is mapped and the access retries. The entry's use
 * of the slot is dropped under the page lock, so a slot the cache alone still uses
 * leaves the cache with it (`swap_free` + `folio_free_swap`).
 */
function mapFromSwapCache(vmf: VmFault): void | Promise<void> {
  const { mem, task, vma, table, index: i, origWord: slot, page: pfn } = vmf;
  const swap = swapOf(mem);
  const map = (): void | Promise<void> =>
    andThen(table.ptl.lock(task), () => {
      if (isSwapPte(table.bits[i]!) && table.word[i] === slot && swap.cache.get(slot) === pfn) {
        const f = mem.frames;
        const exclusive = f.mapcount[pfn] === 0 && swap.count[slot] === 2;
        const writable = exclusive && (vma.flags & VM.write) !== 0 && ((vmf.flags & FAULT_FLAG.write) !== 0 || mem.era === 'v6');
        mem.allocator.get(pfn);
        addRmap(mem, pfn);
        setPte(mem, vma.mm, table, i, pfn, writable ? USER_WRITE : USER, 'swapin');
        f.flags[pfn] = exclusive ? f.flags[pfn]! | PG.anonExclusive : f.flags[pfn]! & ~PG.anonExclusive;
        recordFrame(mem, pfn, 'map', task);
        vma.mm.rss++;
        dropSwapEntry(mem, task, swap, slot);
      }
      return table.ptl.unlock(task);
    });
  return ensure(
    () =>
      andThen(mem.pageLock.lock(task, pfn), () =>
        ensure(
          // Left the cache, or cached under another slot, while this task waited for the lock: retry.
          () => (swap.cache.get(slot) === pfn ? map() : undefined),
          () => mem.pageLock.unlock(task, pfn),
        ),
      ),
    () => mem.allocator.put(task, pfn),
  );
}
