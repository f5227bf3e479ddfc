import { SmmuError } from '../kernel/errors.js';
import type { Task } from '../kernel/sched/task.js';
import { andThen, ensure } from '../kernel/util/flow.js';
import { findGetPage } from './filemap.js';
import { PG } from './frames.js';
import { hex, PAGE_SIZE, pageNumber, pteIndex } from './layout.js';
import type { MemoryState } from './memory-state.js';
import type { Mm } from './mm-types.js';
import { notifierRange, notifyInvalidatePage, notifyRangeEnd, notifyRangeStart, notifySecondaryTlbs } from './notify.js';
import type { PteTable } from './page-table.js';
import { clearPte, recordFrame, setPte, updatePteBits } from './pte-ops.js';
import { isMigrationPte, isSwapPte, PTE } from './pte.js';
import { addToSwapCache, dropSwapEntry, swapOf } from './swap.js';
import { addNewAnonRmap, addRmap, anonVmaPrepare, removeRmap } from './rmap.js';
import { VM, VM_PROT_MASK, type Vma } from './mm-types.js';
import { assertAlive } from './mmap.js';

/** The bits of a fresh user mapping. */
const USER = PTE.present | PTE.user;
const USER_WRITE = USER | PTE.write | PTE.dirty;

/**
 * `handle_mm_fault()` for a CPU access to `address` that the page table could not
 * serve: under `mmap_lock` for reading, find the vma (none, or no permission:
 * SIGSEGV), make sure a PTE table exists, and resolve the entry — anonymous zero-fill
 * (the zero page for reads), file read fault, COW fault, shared-file fault with
 * mkwrite, write-protect fault (reuse or copy), or swap-in of a swap entry. Migration
 * entries come with migration. Returns a Promise only if something suspended.
 */
export function handleMmFault(mem: MemoryState, task: Task, mm: Mm, address: number, write: boolean): void | Promise<void> {
  return andThen(mm.mmapLock.downRead(task), () =>
    ensure(
      () => faultLocked(mem, task, mm, address, write),
      () => mm.mmapLock.upRead(task),
    ),
  );
}

/** The fault with `mmap_lock` held: check the vma, then the PTE. */
export function faultLocked(mem: MemoryState, task: Task, mm: Mm, faultAddress: number, write: boolean): void | Promise<void> {
  assertAlive(task, mm);
  const address = faultAddress - (faultAddress % PAGE_SIZE); // vmf->address: the page's
  const vma = mm.vmas.lookup(address);
  if (vma === undefined) throw new SmmuError('SIGSEGV', `${task.name}: ${write ? 'write to' : 'read of'} ${hex(faultAddress)}: no mapping there (SEGV_MAPERR)`);
  // A read needs any access (`vma_is_accessible`): x86 cannot map write or exec without read.
  if ((vma.flags & (write ? VM.write : VM_PROT_MASK)) === 0) {
    throw new SmmuError('SIGSEGV', `${task.name}: ${write ? 'write to' : 'read of'} ${hex(faultAddress)}: the mapping ${vma.toString()} does not allow it (SEGV_ACCERR)`);
  }
  const vpn = pageNumber(address);
  const table = mm.pageTable.lookup(vpn);
  if (table !== undefined) return handlePte(mem, task, vma, table, address, write);
  // __pte_alloc: upper levels are populated under mm->page_table_lock.
  return andThen(mm.pageTableLock.lock(task), () => {
    const t = mm.pageTable.ensure(vpn);
    return andThen(mm.pageTableLock.unlock(task), () => handlePte(mem, task, vma, t, address, write));
  });
}

function handlePte(mem: MemoryState, task: Task, vma: Vma, table: PteTable, address: number, write: boolean): void | Promise<void> {
  const i = pteIndex(pageNumber(address));
  const bits = table.bits[i]!;
  if (bits === 0) {
    if (vma.isAnonymous) return doAnonymousPage(mem, task, vma, table, i, address, write);
    if (!write) return doReadFault(mem, task, vma, table, i, address);
    if (vma.isPrivate) return doCowFault(mem, task, vma, table, i, address);
    return doSharedFault(mem, task, vma, table, i, address);
  }
  if ((bits & PTE.present) === 0) {
    if (isSwapPte(bits)) return doSwapPage(mem, task, vma, table, i, address, write);
    if (isMigrationPte(bits)) return migrationEntryWait(mem, task, table.word[i]!);
    throw new SmmuError('EFAULT', `${task.name}: fault at ${hex(address)} on a non-present entry (bits ${bits}) of no known kind (model bug)`);
  }
  if ((bits & PTE.user) === 0) {
    // PROT_NONE entries stay present for the kernel but not for the user.
    throw new SmmuError('SIGSEGV', `${task.name}: access to ${hex(address)}: PROT_NONE (SEGV_ACCERR)`);
  }
  if (write && (bits & PTE.write) === 0) return doWpPage(mem, task, vma, table, i, address);
  // Spurious: another task resolved it first. The hardware walk sets the bits.
  return andThen(table.ptl.lock(task), () => {
    updatePteBits(mem, vma.mm, table, i, table.bits[i]! | PTE.young | (write ? PTE.dirty : 0), 'fault');
    return table.ptl.unlock(task);
  });
}

/**
 * `do_swap_page()` on a page in the swap cache (`swap_cache_get_folio`): map that very
 * frame — a 2008 pinned page comes back to its pin — writable only if nothing else uses
 * it (`reuse_swap_page`: this entry and the cache alone, not mapped elsewhere).
 *
 * The caller holds a reference to `pfn` (the lookup's `folio_try_get`), dropped here.
 * The page is locked first (`folio_lock_or_retry`: reclaim, migration or another
 * swap-in may hold it), then, under the lock, must still be this slot's cache page
 * (`folio_test_swapcache(folio) && page_swap_entry(page).val == entry.val`) — reclaim
 * may have freed it from the cache, or migration moved it, while this task waited —
 * and under the PT lock the entry must still be this swap entry (`pte_same`);
 * otherwise nothing is mapped and the access retries. The entry's use of the slot is
 * dropped under the page lock, so a slot the cache alone still uses leaves the cache
 * with it (`swap_free` + `folio_free_swap`).
 */
function mapFromSwapCache(mem: MemoryState, task: Task, vma: Vma, table: PteTable, i: number, address: number, write: boolean, slot: number, pfn: number): void | Promise<void> {
  const swap = swapOf(mem);
  const map = (): void | Promise<void> =>
    andThen(table.ptl.lock(task), () => {
      if (isSwapPte(table.bits[i]!) && table.word[i] === slot && swap.cache.get(slot) === pfn) {
        const f = mem.frames;
        const exclusive = f.mapcount[pfn] === 0 && swap.count[slot] === 2;
        const writable = exclusive && (vma.flags & VM.write) !== 0 && (write || mem.era === 'v6');
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

/**
 * `migration_entry_wait()`: the page is being moved; wait until the migrating task
 * unlocks it (taking and dropping the page lock), then the access retries and finds the
 * PTE of the new frame.
 */
function migrationEntryWait(mem: MemoryState, task: Task, pfn: number): void | Promise<void> {
  return andThen(mem.pageLock.lock(task, pfn), () => mem.pageLock.unlock(task, pfn));
}

/**
 * `do_anonymous_page()`: a zeroed private page for a write; for a read, v6 maps the
 * shared zero page, while 2.6.24–2.6.31 (both 2008 eras) had dropped `ZERO_PAGE` there
 * and allocated a zeroed page for reads too, mapped dirty and, in a writable vma,
 * writable (`maybe_mkwrite(pte_mkdirty(entry))`).
 */
function doAnonymousPage(mem: MemoryState, task: Task, vma: Vma, table: PteTable, i: number, address: number, write: boolean): void | Promise<void> {
  const bits = mem.era !== 'v6' && (vma.flags & VM.write) === 0 ? USER | PTE.dirty : USER_WRITE;
  if (!write && mem.era === 'v6') {
    return andThen(table.ptl.lock(task), () => {
      if (table.bits[i] === 0) setPte(mem, vma.mm, table, i, mem.allocator.zeroPfn, USER | PTE.special, 'fault');
      return table.ptl.unlock(task);
    });
  }
  return andThen(anonVmaPrepare(mem, task, vma), () =>
    andThen(mem.allocator.alloc(task, 'user', true), (pfn) =>
      andThen(table.ptl.lock(task), () => {
        if (table.bits[i] !== 0) mem.allocator.put(task, pfn); // someone else faulted it in
        else mapNewAnon(mem, task, vma, table, i, address, pfn, 'fault', bits);
        return table.ptl.unlock(task);
      }),
    ),
  );
}

function mapNewAnon(mem: MemoryState, task: Task, vma: Vma, table: PteTable, i: number, address: number, pfn: number, cause: 'fault' | 'cow' | 'swapin' = 'fault', bits: number = USER_WRITE): void {
  addNewAnonRmap(mem, pfn, vma, address);
  mlockNew(mem, vma, pfn);
  setPte(mem, vma.mm, table, i, pfn, bits, cause);
  recordFrame(mem, pfn, 'map', task);
  vma.mm.rss++;
}

/**
 * `do_swap_page()`: the entry is a swap entry. Allocate a page (may sleep and reclaim),
 * then under the PT lock check the entry is still that swap entry — another fault may
 * have swapped it in, or a zap removed it, while the allocation waited: then the page
 * is put back and the access retries — read the slot's content into the page
 * (`swap_read_folio`), map it as a new anonymous page, drop the entry's use
 * of the slot (`swap_free`) and count it in rss. The page is dirty (`PG_dirty` and the
 * PTE's bit): with the slot use gone it is the only copy this mm has, as the kernel
 * dirties a page it takes out of the swap cache (`folio_free_swap`).
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
function doSwapPage(mem: MemoryState, task: Task, vma: Vma, table: PteTable, i: number, address: number, write: boolean): void | Promise<void> {
  const slot = table.word[i]!;
  const swap = swapOf(mem);
  if (!swap.inUse(slot)) throw new SmmuError('EFAULT', `${task.name}: fault at ${hex(address)} on a swap entry for slot ${slot}, which is not in use (model bug)`);
  const cached = swap.cache.get(slot);
  if (cached !== undefined) {
    mem.allocator.get(cached); // swap_cache_get_folio: the cache's reference keeps it alive until now
    return mapFromSwapCache(mem, task, vma, table, i, address, write, slot, cached);
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
          return andThen(table.ptl.unlock(task), () => mapFromSwapCache(mem, task, vma, table, i, address, write, slot, theirs));
        } else {
          const f = mem.frames;
          const exclusive = swap.count[slot] === 1;
          const writable = exclusive && (vma.flags & VM.write) !== 0 && (write || mem.era === 'v6');
          f.content[pfn] = swap.read(slot);
          mapNewAnon(mem, task, vma, table, i, address, pfn, 'swapin', writable ? USER_WRITE : USER | PTE.dirty);
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
 * The cache page left the cache while the fault waited (truncate or hole punch):
 * `filemap_fault`'s `folio->mapping` recheck. The fault maps nothing; the access retries.
 */
function truncated(vma: Vma, address: number, pfn: number): boolean {
  return vma.file!.pageCache.get(vma.pageIndex(address)) !== pfn;
}

/** `mlock_new_folio()`: a page mapped into a VM_LOCKED vma is mlocked. */
function mlockNew(mem: MemoryState, vma: Vma, pfn: number): void {
  if ((vma.flags & VM.locked) !== 0) mem.frames.flags[pfn] = mem.frames.flags[pfn]! | PG.mlocked;
}

/** `do_read_fault()`: map the page-cache page read-only (a write fault comes later if needed). */
function doReadFault(mem: MemoryState, task: Task, vma: Vma, table: PteTable, i: number, address: number): void | Promise<void> {
  return mapCachePage(mem, task, vma, table, i, address, false);
}

/** `do_cow_fault()`: a private write to a file page: copy it into a new anonymous page. */
function doCowFault(mem: MemoryState, task: Task, vma: Vma, table: PteTable, i: number, address: number): void | Promise<void> {
  return andThen(anonVmaPrepare(mem, task, vma), () =>
    andThen(findGetPage(mem, task, vma, address), (src) =>
      andThen(
        ensure(
          () => mem.allocator.alloc(task, 'user', false),
          () => mem.allocator.put(task, src),
        ),
        (pfn) => {
          mem.frames.content[pfn] = mem.frames.content[src]!;
          return andThen(table.ptl.lock(task), () => {
            if (table.bits[i] !== 0 || truncated(vma, address, src)) mem.allocator.put(task, pfn);
            else mapNewAnon(mem, task, vma, table, i, address, pfn);
            return table.ptl.unlock(task);
          });
        },
      ),
    ),
  );
}

/** `do_shared_fault()`: a shared write: `page_mkwrite`, map writable, dirty the page. */
function doSharedFault(mem: MemoryState, task: Task, vma: Vma, table: PteTable, i: number, address: number): void | Promise<void> {
  return mapCachePage(mem, task, vma, table, i, address, true);
}

/** `finish_fault()` for a page-cache page: map it (writable and dirtied for a shared write) unless the entry or the cache changed meanwhile. */
function mapCachePage(mem: MemoryState, task: Task, vma: Vma, table: PteTable, i: number, address: number, write: boolean): void | Promise<void> {
  const map = (pfn: number): void | Promise<void> =>
    andThen(table.ptl.lock(task), () => {
      if (table.bits[i] !== 0 || truncated(vma, address, pfn)) mem.allocator.put(task, pfn);
      else {
        addRmap(mem, pfn);
        mlockNew(mem, vma, pfn);
        setPte(mem, vma.mm, table, i, pfn, write ? USER_WRITE : USER, 'fault');
        if (write) mem.frames.flags[pfn] = mem.frames.flags[pfn]! | PG.dirty;
        recordFrame(mem, pfn, 'map', task);
        vma.mm.rss++;
      }
      return table.ptl.unlock(task);
    });
  return andThen(findGetPage(mem, task, vma, address), (pfn) => {
    if (!write) return map(pfn);
    // do_shared_fault: the page stays locked across mapping it writable and dirtying it (fault_dirty_shared_page).
    mem.allocator.get(pfn);
    return ensure(
      () => andThen(mem.pageLock.lock(task, pfn), () => ensure(() => map(pfn), () => mem.pageLock.unlock(task, pfn))),
      () => mem.allocator.put(task, pfn),
    );
  });
}

/**
 * `do_wp_page()`: a write to a present read-only entry of a writable vma. A shared
 * mapping makes the entry writable and dirties the page (`wp_page_shared`); a private
 * anonymous page nobody else maps is reused (`wp_page_reuse`); anything else is
 * copied (`wp_page_copy`).
 */
function doWpPage(mem: MemoryState, task: Task, vma: Vma, table: PteTable, i: number, address: number): void | Promise<void> {
  const pfn = table.word[i]!;
  const bits = table.bits[i]!;
  if ((bits & PTE.special) === 0 && !vma.isPrivate) {
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
  if ((bits & PTE.special) === 0 && (!vma.isPrivate || canReuse(mem, pfn))) {
    return andThen(table.ptl.lock(task), () => {
      if (table.bits[i] === bits && table.word[i] === pfn) {
        updatePteBits(mem, vma.mm, table, i, bits | PTE.write | PTE.dirty | PTE.young, vma.isPrivate ? 'wp-reuse' : 'mkwrite');
        if (!vma.isPrivate) mem.frames.flags[pfn] = mem.frames.flags[pfn]! | PG.dirty;
      }
      return table.ptl.unlock(task);
    });
  }
  return wpPageCopy(mem, task, vma, table, i, address, pfn, bits);
}

/**
 * May a private write reuse the page in place? Only an anonymous page mapped once.
 * v6 reuses a `PageAnonExclusive` page outright (so a pinned page keeps its frame), or
 * one whose only reference is this mapping, which then becomes exclusive
 * (`wp_can_reuse_anon_folio`); 2008 needed only `page_mapcount() == 1`.
 */
function canReuse(mem: MemoryState, pfn: number): boolean {
  const f = mem.frames;
  if ((f.flags[pfn]! & PG.anon) === 0 || f.mapcount[pfn] !== 1) return false;
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
 * `FAULT_FLAG_UNSHARE` (v6): before a read-only pin of an anonymous page that is not
 * exclusive (COW-shared with a fork), give this mm its own copy, mapped read-only as
 * before, so the pin and the process keep seeing the same page. The caller holds
 * `mmap_lock`; a no-op when there is nothing to unshare.
 */
export function unshareFault(mem: MemoryState, task: Task, mm: Mm, address: number): void | Promise<void> {
  const vma = mm.vmas.lookup(address);
  const vpn = pageNumber(address);
  const table = mm.pageTable.lookup(vpn);
  if (vma === undefined || table === undefined) return;
  const i = pteIndex(vpn);
  const bits = table.bits[i]!;
  const pfn = table.word[i]!;
  if ((bits & PTE.present) === 0 || (bits & PTE.special) !== 0 || !mem.isAnon(pfn) || (mem.frames.flags[pfn]! & PG.anonExclusive) !== 0) return;
  return wpPageCopy(mem, task, vma, table, i, address - (address % PAGE_SIZE), pfn, bits, bits & (USER | PTE.write | PTE.dirty));
}

/**
 * `wp_page_copy()`, with each era's notifier placement. Every era first prepares the
 * anon_vma, allocates the new page and copies the old one into it (zeroes it for the
 * zero page) without the PT lock — `folio_prealloc` and `__wp_page_copy_user` in v6,
 * `alloc_page_vma` and `cow_user_page` in 2.6.2x — and only then: v6 begins a CLEAR
 * range (before retaking the PT lock), rechecks the entry, switches it under the PT
 * lock with the secondary TLB flush there, and ends the range; rfc-2008 brackets the
 * recheck and switch with a blockable range too; v2.6.27 calls `invalidate_page` from
 * `ptep_clear_flush_notify()` under the PT lock, between clearing the old entry and
 * setting the new one. The copy is outside the range: a subscriber that sleeps in its
 * start (waiting for remote acknowledgements) does not delay it, and the allocation
 * (which may reclaim) never runs with this range in progress.
 */
function wpPageCopy(mem: MemoryState, task: Task, vma: Vma, table: PteTable, i: number, address: number, old: number, bits: number, mapBits: number = USER_WRITE): void | Promise<void> {
  const mm = vma.mm;
  const special = (bits & PTE.special) !== 0;
  const era = mem.era;
  if (!special) mem.allocator.get(old); // held across the copy
  const release = (): void => {
    if (!special) mem.allocator.put(task, old);
  };
  /** Under the PT lock (inside the range where there is one): the recheck and the switch to `pfn`, or `pfn` put back. */
  const map = (pfn: number): void | Promise<void> =>
    andThen(table.ptl.lock(task), () => {
      if (table.bits[i] !== bits || table.word[i] !== old) {
        mem.allocator.put(task, pfn);
        return table.ptl.unlock(task);
      }
      clearPte(mem, mm, table, i, 'cow');
      const flushed = era === 'v2.6.27' ? notifyInvalidatePage(task, mm, address) : notifySecondaryTlbs(task, mm, address, address + PAGE_SIZE);
      return andThen(flushed, () => {
        mapNewAnon(mem, task, vma, table, i, address, pfn, 'cow', mapBits);
        if (!special) {
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
        mem.frames.content[pfn] = special ? 0 : mem.frames.content[old]!;
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
