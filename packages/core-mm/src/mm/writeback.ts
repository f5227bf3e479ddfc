import { SmmuError } from '../kernel/errors.js';
import type { Task } from '../kernel/sched/task.js';
import { andThen, ensure } from '../kernel/util/flow.js';
import { PG } from './frames.js';
import { isInode, VM, type Inode, type Vma } from './mm-types.js';
import { PAGE_SIZE } from './layout.js';
import type { MemoryState } from './memory-state.js';
import { notifierRange, notifyExternalRmap, notifyInvalidatePage, notifyRangeEnd, notifyRangeStart, notifySecondaryTlbs } from './notify.js';
import type { MmuNotifierRange } from './mm-types.js';
import { clearPte, setPte, updatePteBits } from './pte-ops.js';
import { PTE } from './pte.js';
import { rmapWalk } from './rmap-walk.js';

/*
 * Writeback of page-cache pages: `folio_clear_dirty_for_io()` (write-protect and clean
 * every mapping with `folio_mkclean()`, move the dirt into the page, test-and-clear
 * `PG_dirty`), then `->writepage` (set `PG_writeback`, store the content word in the
 * file's backing store, `folio_end_writeback()`). The model's I/O completes at once,
 * so `PG_writeback` is set and cleared under the page lock. A later CPU write through
 * a mapping finds the entry read-only and faults: `do_wp_page()` makes it writable and
 * dirties the page again (`page_mkwrite` / `wp_page_shared`). The locks are taken in
 * the order documented at the top of `rmap.ts`.
 */

/** Bits writeback takes away from an entry (`pte_wrprotect(pte_mkclean(entry))`). */
const WRITE_OR_DIRTY = PTE.write | PTE.dirty;

/**
 * `page_mkclean()` (2.6.2x) / `folio_mkclean()` (v6): write-protect and clean every
 * shared mapping of a locked page-cache page, returning how many entries were writable
 * or dirty ("cleaned"). Anonymous and unmapped pages: 0, nothing visited. Only
 * `VM_SHARED` vmas are cleaned (2.6.2x's `if (vma->vm_flags & VM_SHARED)` in
 * `page_mkclean_file`, v6's `invalid_mkclean_vma`): a private mapping never maps a
 * page-cache page writable.
 *
 * - 2008 eras (`page_mkclean_one`): with `i_mmap_lock` (a spinlock) held across the
 *   walk and the mapping's PT lock held, `entry = ptep_clear_flush(...)` (modelled as
 *   `clearPte`), then `invalidate_page(mm, address)` (`ptep_clear_flush_notify`
 *   in 2.6.27), then `set_pte_at()` of the write-protected, clean entry. Nothing the
 *   port does there may sleep.
 * - v6 (`page_vma_mkclean_one`): a `PROTECTION_PAGE` range per shared mapping, begun
 *   before the PT lock (page lock and `i_mmap_rwsem` held, blockable), then under the
 *   PT lock the entry loses write and dirty; the flush of `ptep_clear_flush` reaches
 *   `arch_invalidate_secondary_tlbs` there (a downgrade: start/end drivers may wait for
 *   `end`, but a TLB sharing the CPU page table is flushed with the CPU's).
 *
 * A dirty entry's bit goes to the page (`PG_dirty`) here already; the kernel leaves
 * that to the caller, `folio_clear_dirty_for_io()`, which re-dirties the page whenever
 * the count is non-zero (so does {@link writebackLocked}) — doing it here too means no
 * caller can lose a dirty bit. The caller holds the page lock (`BUG_ON(!PageLocked)`:
 * EINVAL otherwise).
 */
export function pageMkclean(mem: MemoryState, task: Task, pfn: number): number | Promise<number> {
  checkFrame(mem, 'page_mkclean', pfn);
  if (!mem.pageLock.isLocked(pfn)) throw new SmmuError('EINVAL', `page_mkclean: page ${pfn} is not locked (the caller must hold the page lock)`);
  const f = mem.frames;
  if (mem.isAnon(pfn) || f.mapcount[pfn]! === 0 || !isInode(mem.ownerOf(pfn))) return 0;
  const v6 = mem.era === 'v6';
  let cleaned = 0;
  const ranges = new Map<Vma, MmuNotifierRange>();
  const walked = rmapWalk(mem, task, pfn, {
    before: v6
      ? (vma, address) => {
          if (!isShared(vma)) return true;
          const range = notifierRange(vma.mm, address, address + PAGE_SIZE, 'protection-page');
          ranges.set(vma, range);
          return andThen(notifyRangeStart(task, range), () => true);
        }
      : undefined,
    mapped: ({ vma, address, table, index }) => {
      if (!isShared(vma)) return true;
      const bits = table.bits[index]!;
      if ((bits & WRITE_OR_DIRTY) === 0) return true;
      cleaned++;
      if ((bits & PTE.dirty) !== 0) f.flags[pfn] = f.flags[pfn]! | PG.dirty;
      const clean = bits & ~WRITE_OR_DIRTY;
      if (v6) {
        // ptep_clear_flush + set_pte_at: the TLB flush reaches arch_invalidate_secondary_tlbs under the PT lock.
        updatePteBits(mem, vma.mm, table, index, clean, 'mkclean');
        return andThen(notifySecondaryTlbs(task, vma.mm, address, address + PAGE_SIZE), () => true);
      }
      const word = table.word[index]!;
      clearPte(mem, vma.mm, table, index, 'mkclean'); // ptep_clear_flush
      return andThen(notifyInvalidatePage(task, vma.mm, address), () => {
        setPte(mem, vma.mm, table, index, word, clean, 'mkclean'); // set_pte_at(wrprotect(mkclean(entry)))
        return true;
      });
    },
    after: v6
      ? (vma) => {
          const range = ranges.get(vma);
          if (range === undefined) return;
          ranges.delete(vma);
          return notifyRangeEnd(task, range);
        }
      : undefined,
  });
  return andThen(walked, () => andThen(notifyExternalRmap(mem, task, pfn), () => cleaned)); // rfc-2008, page lock only
}

/**
 * The writeback of one page-cache page whose lock the caller holds — what
 * `write_cache_pages()` does for a page it locked, and `pageout()` for reclaim:
 * recheck that the page is still in its file's cache (truncate may have taken it
 * while the caller waited for the lock: false, nothing done), then
 * `folio_clear_dirty_for_io()` — {@link pageMkclean}, `set_page_dirty` if it cleaned
 * anything, test-and-clear `PG_dirty` — and, if the page was dirty, `->writepage`:
 * `PG_writeback` set, the content word stored in `inode.backing` at the page's index,
 * `PG_writeback` cleared (the I/O completes at once), and a `clean` event on the
 * observation face. A page wholly beyond `i_size` (a shrinking truncate has set it and
 * waits for this page's lock) is cleaned but not stored, as `block_write_full_page()`
 * does. Unlike the kernel's `->writepage` the page lock stays held: the
 * caller unlocks. True if the page was written. Shmem pages have no file to go to
 * (reclaim swaps them): EINVAL, as for anonymous, free or uncached frames.
 */
export function writebackLocked(mem: MemoryState, task: Task, pfn: number): boolean | Promise<boolean> {
  const inode = cachedFilePage(mem, 'writeback', pfn);
  const f = mem.frames;
  const index = f.index[pfn]!;
  if (!mem.pageLock.isLocked(pfn)) throw new SmmuError('EINVAL', `writeback: page ${pfn} is not locked (the caller must hold the page lock)`);
  return andThen(pageMkclean(mem, task, pfn), (cleaned) => {
    if (cleaned > 0) f.flags[pfn] = f.flags[pfn]! | PG.dirty; // set_page_dirty
    if ((f.flags[pfn]! & PG.dirty) === 0) return false;
    // Re-checked after the walk, which may have waited: still this file's page?
    if (inode.pageCache.get(index) !== pfn || f.mapping[pfn] !== inode.id) return false;
    f.flags[pfn] = f.flags[pfn]! & ~PG.dirty; // TestClearPageDirty
    // Wholly beyond i_size (a truncate has set it and waits for this page's lock): not written (`block_write_full_page`).
    if (index >= inode.pages) return false;
    f.flags[pfn] = f.flags[pfn] | PG.writeback; // set_page_writeback
    const content = f.content[pfn]!;
    inode.backing.set(index, content);
    f.flags[pfn] = f.flags[pfn] & ~PG.writeback; // folio_end_writeback
    if (mem.observers.active) mem.observers.emit({ kind: 'clean', pfn, generation: f.generation[pfn]!, content, time: mem.kernel.clock.now });
    return true;
  });
}

/**
 * Write one dirty page-cache page back to its file (`write_cache_pages()`' step for
 * one folio): take a reference and the page lock (`folio_lock`), skip the page if it
 * left the cache meanwhile, {@link writebackLocked}, unlock. True if written.
 * EINVAL for a frame that is not a cached page of a regular file (checked before
 * anything changes).
 */
export function writebackPage(mem: MemoryState, task: Task, pfn: number): boolean | Promise<boolean> {
  const inode = cachedFilePage(mem, 'writeback', pfn);
  const index = mem.frames.index[pfn]!;
  mem.allocator.get(pfn); // the lookup's reference, held across the lock wait
  return ensure(
    () =>
      andThen(mem.pageLock.lock(task, pfn), () =>
        ensure(
          // Truncated while we waited: `folio->mapping != mapping`, skip it.
          () => (inode.pageCache.get(index) === pfn && mem.frames.mapping[pfn] === inode.id ? writebackLocked(mem, task, pfn) : false),
          () => mem.pageLock.unlock(task, pfn),
        ),
      ),
    () => mem.allocator.put(task, pfn),
  );
}

/**
 * `filemap_write_and_wait()` over the whole file (what `msync(MS_SYNC)` and `fsync()`
 * start with): write back every page that is dirty when the call starts
 * (`tag_pages_for_writeback`), in index order, each with {@link writebackPage};
 * returns how many were written. A shmem file has no backing store to write to
 * (`mapping_can_writeback()` is false): 0. The model's I/O is synchronous, so there
 * is nothing left to wait for afterwards.
 */
export function writebackFile(mem: MemoryState, task: Task, inode: Inode): number | Promise<number> {
  if (!isInode(inode)) throw new SmmuError('EINVAL', `writeback: ${String(inode)} is not a file`);
  if (inode.anonShared) return 0;
  const f = mem.frames;
  const dirty = [...inode.pageCache].filter(([, pfn]) => (f.flags[pfn]! & PG.dirty) !== 0).sort((a, b) => a[0] - b[0]);
  let written = 0;
  const from = (k: number): number | Promise<number> => {
    for (; k < dirty.length; k++) {
      const [index, pfn] = dirty[k]!;
      if (inode.pageCache.get(index) !== pfn) continue; // truncated (and maybe reused) since the snapshot
      const r = writebackPage(mem, task, pfn);
      if (r instanceof Promise) {
        return r.then((w) => {
          if (w) written++;
          return from(k + 1);
        });
      }
      if (r) written++;
    }
    return written;
  };
  return from(0);
}

/** `sync()` (`ksys_sync`): {@link writebackFile} on every file of the machine, oldest first; returns the pages written. */
export function syncAll(mem: MemoryState, task: Task): number | Promise<number> {
  const inodes = mem.inodes();
  let total = 0;
  const from = (k: number): number | Promise<number> => {
    for (; k < inodes.length; k++) {
      const r = writebackFile(mem, task, inodes[k]!);
      if (r instanceof Promise) {
        return r.then((n) => {
          total += n;
          return from(k + 1);
        });
      }
      total += r;
    }
    return total;
  };
  return from(0);
}

function isShared(vma: Vma): boolean {
  return (vma.flags & VM.shared) !== 0;
}

function checkFrame(mem: MemoryState, what: string, pfn: number): void {
  if (!mem.frames.valid(pfn)) throw new SmmuError('EINVAL', `${what}: ${String(pfn)} is not a frame number (0..${mem.frames.count - 1})`);
  if ((mem.frames.flags[pfn]! & PG.free) !== 0) throw new SmmuError('EINVAL', `${what}: frame ${pfn} is free`);
}

/** The regular file whose page cache holds `pfn`; EINVAL for anything else. */
function cachedFilePage(mem: MemoryState, what: string, pfn: number): Inode {
  checkFrame(mem, what, pfn);
  const owner = mem.ownerOf(pfn);
  if (mem.isAnon(pfn) || !isInode(owner)) throw new SmmuError('EINVAL', `${what}: frame ${pfn} is not a page-cache page of a file`);
  if (owner.anonShared) throw new SmmuError('EINVAL', `${what}: frame ${pfn} is a shmem page (${owner.name}): it has no file to be written to, reclaim swaps it`);
  if (owner.pageCache.get(mem.frames.index[pfn]!) !== pfn) throw new SmmuError('EINVAL', `${what}: frame ${pfn} is not in the page cache of ${owner.name}`);
  return owner;
}

/**
 * rfc-2008's `mmu_rmap_export_page()`: a driver marks a page it exported
 * (`PageExternalRmap`), with the page lock held, so reclaim and writeback call the
 * external-rmap hook for it. EINVAL in the merged eras, which had no such hook.
 */
export function exportPage(mem: MemoryState, task: Task, pfn: number): void {
  if (mem.era !== 'rfc-2008') throw new SmmuError('EINVAL', `mmu_rmap_export_page: the ${mem.era} era has no external-rmap notifier (only rfc-2008 had it)`);
  if (mem.pageLock.holder(pfn) !== task) throw new SmmuError('EINVAL', `mmu_rmap_export_page: ${task.name} must hold the lock of page ${pfn}`);
  mem.frames.flags[pfn] = mem.frames.flags[pfn]! | PG.externalRmap;
}
