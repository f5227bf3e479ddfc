import { SmmuError } from '../kernel/errors.js';
import type { Task } from '../kernel/sched/task.js';
import { andThen, ensure } from '../kernel/util/flow.js';
import { getCachePage } from './filemap.js';
import { PG } from './frames.js';
import type { Inode, Vma } from './mm-types.js';
import { PAGE_SIZE, pageAligned } from './layout.js';
import type { MemoryState } from './memory-state.js';
import { notifierRange, notifyRangeEnd, notifyRangeStart } from './notify.js';
import { recordFrame } from './pte-ops.js';
import { zapRange } from './zap.js';

/*
 * File I/O that moves pages under every mapping of a file: read, write, truncate and
 * hole punch. Content is one word per page (docs/memory-model.md), so reads and writes move
 * whole pages' words. Writes, truncate and hole punch hold `i_rwsem` for writing; the
 * locks under it are taken in the order documented at the top of `rmap.ts`.
 */

/**
 * `pread()` (`filemap_read()`): the content words of the pages covering
 * `[offset, offset + length)`, up to `i_size` (a short read at the end of the file,
 * nothing at or beyond it): the page-cache frame's word when cached, else the backing
 * store's, 0 for a hole. Takes no lock and does not populate the cache (no readahead).
 */
export function pread(mem: MemoryState, task: Task, inode: Inode, offset: number, length: number): number[] {
  checkOffset('pread', 'offset', offset);
  checkOffset('pread', 'length', length);
  checkOffset('pread', 'offset + length', offset + length);
  const out: number[] = [];
  const end = Math.min(Math.ceil((offset + length) / PAGE_SIZE), inode.pages);
  for (let index = Math.floor(offset / PAGE_SIZE); index < end; index++) {
    const pfn = inode.pageCache.get(index);
    out.push(pfn !== undefined ? mem.frames.content[pfn]! : (inode.backing.get(index) ?? 0));
  }
  return out;
}

/**
 * `pwrite()` (`generic_perform_write()`): write `words[k]` as the content of page
 * `offset / PAGE_SIZE + k`, through the page cache, under `i_rwsem` for writing:
 * find or create the cache page, store the word, `set_page_dirty`, drop the lookup's
 * reference, and extend `i_size` to cover the page written (`generic_write_end`).
 * `offset` must be page aligned (whole pages only); every word a 32-bit unsigned
 * integer. Mappings of the page see the write at once (shared, or private not yet
 * COWed). An allocation failure part way leaves the pages before it written, as a
 * short write does.
 */
export function pwrite(mem: MemoryState, task: Task, inode: Inode, offset: number, words: readonly number[]): void | Promise<void> {
  checkOffset('pwrite', 'offset', offset);
  if (!pageAligned(offset)) throw new SmmuError('EINVAL', `pwrite: offset ${offset} is not page aligned (the model writes whole pages)`);
  const raw: unknown = words;
  if (!Array.isArray(raw)) throw new SmmuError('EINVAL', `pwrite: words must be an array of content words, got ${String(words)}`);
  words.forEach((w, k) => {
    if (!Number.isInteger(w) || w < 0 || w > 0xffffffff) throw new SmmuError('EINVAL', `pwrite: words[${k}] = ${String(w)} is not a 32-bit unsigned word`);
  });
  checkOffset('pwrite', 'offset + length', offset + words.length * PAGE_SIZE);
  if (words.length === 0) return;
  const first = offset / PAGE_SIZE;
  const writePage = (k: number): void | Promise<void> =>
    andThen(getCachePage(mem, task, inode, first + k), (pfn) => {
      const f = mem.frames;
      f.content[pfn] = words[k]!;
      if (mem.observers.active) mem.observers.emit({ kind: 'store', mm: -1, address: (first + k) * PAGE_SIZE, pfn, value: words[k]!, time: mem.kernel.clock.now });
      f.flags[pfn] = f.flags[pfn]! | PG.dirty;
      recordFrame(mem, pfn, 'dirty', task);
      mem.allocator.put(task, pfn);
      inode.size = Math.max(inode.size, (first + k + 1) * PAGE_SIZE);
    });
  return withIRwsem(task, inode, () => each(words.length, writePage));
}

/**
 * `ftruncate()` (`truncate_setsize()` + `truncate_pagecache()`), under `i_rwsem`
 * for writing: set `i_size` first (so no new fault maps a page beyond it: SIGBUS);
 * then, when the file shrank, unmap the pages beyond the new end from every mapping
 * (`unmap_mapping_range(..., even_cows = 1)`: a private mapping's COWed anonymous
 * pages beyond the end go too, as the kernel does), drop them from the backing store
 * and the page cache, and unmap once more — as `truncate_pagecache()` (and 2.6.2x's
 * `vmtruncate()`) do, for private pages COWed in between — so every vma reaching
 * beyond the end sees two CLEAR ranges. A partial last page keeps its word.
 * Extending only sets `i_size`.
 */
export function ftruncate(mem: MemoryState, task: Task, inode: Inode, size: number): void | Promise<void> {
  checkOffset('ftruncate', 'size', size);
  return withIRwsem(task, inode, () => {
    const shrink = size < inode.size;
    inode.size = size;
    if (!shrink) return;
    const first = Math.ceil(size / PAGE_SIZE);
    return andThen(unmapMappingPages(mem, task, inode, first, Infinity, false), () =>
      andThen(truncatePages(mem, task, inode, first, Infinity, false), () => unmapMappingPages(mem, task, inode, first, Infinity, false)),
    );
  });
}

/**
 * `fallocate(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE)`
 * (`truncate_pagecache_range()`), under `i_rwsem` for writing: unmap the hole's pages
 * from every mapping, keeping private mappings' COWed anonymous pages
 * (`even_cows = 0`: "hole-punching leaves COWed pages"), drop them from the backing
 * store and the page cache; reads of the hole then see zero. `i_size` is unchanged.
 * Unlike the kernel, which zeroes the partial pages at the edges, the model needs
 * `offset` and `length` page aligned (EINVAL otherwise); length 0 does nothing.
 */
export function fallocatePunchHole(mem: MemoryState, task: Task, inode: Inode, offset: number, length: number): void | Promise<void> {
  checkOffset('fallocate', 'offset', offset);
  checkOffset('fallocate', 'length', length);
  checkOffset('fallocate', 'offset + length', offset + length);
  if (!pageAligned(offset) || !pageAligned(length)) {
    throw new SmmuError('EINVAL', `fallocate: punch hole at ${offset} length ${length}: both must be page aligned in this model`);
  }
  if (length === 0) return;
  const first = offset / PAGE_SIZE;
  const last = (offset + length) / PAGE_SIZE - 1;
  return withIRwsem(task, inode, () =>
    andThen(unmapMappingPages(mem, task, inode, first, last, true), () => truncatePages(mem, task, inode, first, last, true)),
  );
}

/**
 * `unmap_mapping_pages()`: under the i_mmap lock — `i_mmap_lock_read` today, the
 * `i_mmap_lock` spinlock in 2008 — zap file pages `[first, last]` from every vma of
 * `i_mmap` that maps them, each vma's zap inside a CLEAR notifier range on its mm
 * (`zap_page_range_single()`); in the 2008 eras the range is atomic (rfc-2008's
 * `atomic` argument: not blockable), since the spinlock is held.
 */
export function unmapMappingPages(mem: MemoryState, task: Task, inode: Inode, first: number, last: number, keepAnon: boolean): void | Promise<void> {
  const lock = inode.iMmapLock;
  return andThen(lock.lockRead(task), () =>
    ensure(
      () => {
        const vmas = inode.iMmap.overlapping(first, last);
        return each(vmas.length, (k) => unmapVma(mem, task, vmas[k]!, first, last, keepAnon));
      },
      () => lock.unlockRead(task),
    ),
  );
}

function unmapVma(mem: MemoryState, task: Task, vma: Vma, first: number, last: number, keepAnon: boolean): void | Promise<void> {
  const start = vma.start + (Math.max(first, vma.pgoff) - vma.pgoff) * PAGE_SIZE;
  const end = vma.start + (Math.min(last, vma.lastPgoff) + 1 - vma.pgoff) * PAGE_SIZE;
  const zap = (): void | Promise<void> => zapRange(mem, task, vma, start, end, 'truncate', { keepAnon });
  const mm = vma.mm;
  if (mm.secondary === null) return zap();
  const range = notifierRange(mm, start, end, 'clear', mem.era === 'v6' ? {} : { atomic: true });
  return andThen(notifyRangeStart(task, range), () => ensure(zap, () => notifyRangeEnd(task, range)));
}

/**
 * `truncate_inode_pages_range()`: drop `[first, last]` from the backing store (the
 * filesystem freeing its blocks: a fault from now on reads a hole), then each cached
 * page of the range, in index order, under its page lock and with a reference held
 * across (as the kernel's batch does): take it out of the cache and cancel its dirty
 * state; if a fault mapped it again since the unmap, unmap it
 * (`truncate_cleanup_folio` -> `unmap_mapping_folio`); drop the cache's reference —
 * the frame is freed unless someone (a pin) still holds it. The model leaves the
 * cache before unmapping (the kernel unmaps first): its faults do not take the page
 * lock, so only a page no longer findable cannot be mapped again behind the unmap.
 */
function truncatePages(mem: MemoryState, task: Task, inode: Inode, first: number, last: number, keepAnon: boolean): void | Promise<void> {
  for (const index of [...inode.backing.keys()]) if (index >= first && index <= last) inode.backing.delete(index);
  const victims = [...inode.pageCache].filter(([index]) => index >= first && index <= last).sort((a, b) => a[0] - b[0]);
  const f = mem.frames;
  const drop = (index: number, pfn: number): void | Promise<void> => {
    if (inode.pageCache.get(index) !== pfn) return; // gone while we waited for the lock
    inode.pageCache.delete(index);
    inode.backing.delete(index); // again under the page lock: a writeback that held it may have stored it meanwhile
    f.flags[pfn] = f.flags[pfn]! & ~PG.dirty;
    f.mapping[pfn] = 0;
    const unmapped = f.mapcount[pfn]! > 0 ? unmapMappingPages(mem, task, inode, index, index, keepAnon) : undefined;
    return andThen(unmapped, () => mem.allocator.put(task, pfn));
  };
  return each(victims.length, (k) => {
    const [index, pfn] = victims[k]!;
    mem.allocator.get(pfn);
    return ensure(
      () => andThen(mem.pageLock.lock(task, pfn), () => ensure(() => drop(index, pfn), () => mem.pageLock.unlock(task, pfn))),
      () => mem.allocator.put(task, pfn),
    );
  });
}

/** A shared anonymous mapping's file lost its last mapping: drop every page (`shmem_evict_inode`). */
export function releaseShmem(mem: MemoryState, task: Task, inode: Inode): void | Promise<void> {
  inode.size = 0;
  return truncatePages(mem, task, inode, 0, Infinity, false);
}

function withIRwsem<T>(task: Task, inode: Inode, body: () => T | Promise<T>): T | Promise<T> {
  return andThen(inode.iRwsem.downWrite(task), () => ensure(body, () => inode.iRwsem.upWrite(task)));
}

/** Run `step(0)` .. `step(n - 1)` in order, waiting for each that suspends. */
function each(n: number, step: (k: number) => void | Promise<void>): void | Promise<void> {
  const from = (k: number): void | Promise<void> => {
    for (; k < n; k++) {
      const r = step(k);
      if (r instanceof Promise) return r.then(() => from(k + 1));
    }
  };
  return from(0);
}

function checkOffset(what: string, name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new SmmuError('EINVAL', `${what}: ${name} ${String(value)} must be a non-negative integer`);
}
