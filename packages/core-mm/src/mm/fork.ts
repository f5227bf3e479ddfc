import { SmmuError } from '../kernel/errors.js';
import type { Task } from '../kernel/sched/task.js';
import { andThen, ensure } from '../kernel/util/flow.js';
import { type Mm, VM, VM_PROT_MASK, Vma } from './mm-types.js';
import { linkAnonVma, linkVma } from './vma-ops.js';
import { exitMmap } from './exit.js';
import { PG } from './frames.js';
import { PAGE_SIZE, pageNumber, PTRS_PER_TABLE } from './layout.js';
import type { MemoryState } from './memory-state.js';
import { Process } from './process.js';
import { assertAlive, requireMm } from './mmap.js';
import { notifierRange, notifyRangeEnd, notifyRangeStart, notifySecondaryTlbs, TLB_FLUSH_ALL } from './notify.js';
import type { PteTable } from './page-table.js';
import { recordFrame, setPte, updatePteBits } from './pte-ops.js';
import { isSwapPte, PTE } from './pte.js';
import { swapOf } from './swap.js';
import { addNewAnonRmap, addRmap } from './rmap.js';

/**
 * `fork()`'s memory half (`dup_mm` -> `dup_mmap`): a new process named `childName`
 * whose address space is a copy of the task's. Under the parent's `mmap_lock` for
 * writing, every vma is duplicated (same range, flags, file and pgoff; `VM_LOCKED`
 * is not inherited, as in Linux), its anonymous memory forked (`anon_vma_fork`), it
 * is linked into its file's `i_mmap`, and its page table entries are copied
 * (`copy_page_range`). The child gets no tasks: create them with `process.task()`.
 *
 * If the copy fails (out of memory copying a pinned page) the half-built child is
 * torn down after the parent's lock is dropped (`mmput` -> `exit_mmap`) and the
 * error is passed on; parent entries already write-protected stay so, as in Linux.
 *
 * The child's own `mmap_lock` is held for writing too, nested inside the parent's
 * (`mmap_write_lock_nested(mm, SINGLE_DEPTH_NESTING)`).
 */
export function fork(mem: MemoryState, task: Task, childName: string): Process | Promise<Process> {
  const parent = requireMm(task);
  if (typeof childName !== 'string' || childName === '') throw new SmmuError('EINVAL', `fork: process name ${JSON.stringify(childName)} must be a non-empty string`);
  const child = mem.newMm();
  const done = (): Process => {
    const p = new Process(mem.kernel, mem.processes.length + 1, childName, child);
    mem.processes.push(p);
    return p;
  };
  const failed = (error: unknown): Promise<never> => Promise.resolve(exitMmap(mem, task, child)).then(() => Promise.reject(error as Error));
  let copied: void | Promise<void>;
  try {
    copied = andThen(parent.mmapLock.downWrite(task), () =>
      ensure(
        () =>
          andThen(child.mmapLock.downWriteNested(task, 1), () =>
            ensure(
              () => dupMmap(mem, task, parent, child),
              () => child.mmapLock.upWrite(task),
            ),
          ),
        () => parent.mmapLock.upWrite(task),
      ),
    );
  } catch (error) {
    const cleaned = exitMmap(mem, task, child);
    if (cleaned instanceof Promise) return cleaned.then(() => Promise.reject(error as Error));
    throw error;
  }
  if (copied instanceof Promise) return copied.then(done, failed);
  return done();
}

/**
 * The arguments `copy_page_range()` passes down to `copy_pte_range()`,
 * `copy_present_pte()` and `copy_nonpresent_pte()` — `dst_vma`, `src_vma`, their mms,
 * `prealloc` — as one object: made once per fork by {@link dupMmap} and aimed at each
 * vma pair in turn by {@link copyPageRange}, so copying an entry allocates nothing.
 *
 * Differences: no `rss[]`. The model's rss is one plain counter, counted on the
 * child's mm as each entry is set, where the kernel sums per-counter deltas and adds
 * them (`add_mm_rss_vec()`) before dropping the child's PT lock. {@link flushParent}
 * is `dup_mmap()`'s part: it flushes the parent's TLBs once after all vmas.
 */
class ForkCopy {
  readonly mem: MemoryState;
  readonly task: Task;
  /** `src_mm` (`oldmm`): the parent. */
  readonly srcMm: Mm;
  /** `dst_mm` (`mm`): the child. */
  readonly dstMm: Mm;
  /** `src_vma`: the parent's vma being copied; set by {@link copyPageRange}. */
  srcVma!: Vma;
  /** `dst_vma`: its copy in the child; set by {@link copyPageRange}. */
  dstVma!: Vma;
  /** `is_cow_mapping(src_vma->vm_flags)`: writable entries are write-protected on both sides. */
  cow = false;
  /**
   * `prealloc`: a page allocated with the PT locks dropped for a pinned page that
   * must be copied at once (`copy_present_page`); -1 for none. Used or put back
   * before the next range.
   */
  prealloc = -1;
  /** Parent entries were write-protected: their TLBs are flushed once after the copy (`flush_tlb_mm(oldmm)`). */
  flushParent = false;

  constructor(mem: MemoryState, task: Task, parent: Mm, child: Mm) {
    this.mem = mem;
    this.task = task;
    this.srcMm = parent;
    this.dstMm = child;
  }
}

/** `dup_mmap()` with the parent's `mmap_lock` held for writing: vma by vma. */
function dupMmap(mem: MemoryState, task: Task, parent: Mm, child: Mm): void | Promise<void> {
  assertAlive(task, parent);
  const vmas = parent.vmas.all();
  const copy = new ForkCopy(mem, task, parent, child);
  const step = (k: number): void | Promise<void> => {
    for (; k < vmas.length; k++) {
      const r = dupVma(copy, vmas[k]!);
      if (r instanceof Promise) return r.then(() => step(k + 1));
    }
  };
  // The parent's write-protected entries reach TLBs sharing its page table once, after the copy.
  return andThen(step(0), () => (copy.flushParent ? notifySecondaryTlbs(task, parent, 0, TLB_FLUSH_ALL) : undefined)); // flush_tlb_mm(oldmm)
}

function dupVma(copy: ForkCopy, src: Vma): void | Promise<void> {
  const { mem, task } = copy;
  const dst = new Vma(copy.dstMm, src.start, src.end, src.flags & ~VM.locked, src.file, src.pgoff);
  return andThen(anonVmaFork(mem, task, dst, src), () => andThen(linkVma(task, dst), () => copyPageRange(copy, dst, src)));
}

/**
 * `anon_vma_fork()`: link the child vma into every anon_vma of the parent's chains
 * (`anon_vma_clone`, so rmap finds the shared pages in the child too), then give it
 * its own anon_vma, a child of the parent's in the same tree (same root, same lock),
 * for the pages it will COW.
 */
function anonVmaFork(mem: MemoryState, task: Task, dst: Vma, src: Vma): void | Promise<void> {
  const parentAv = src.anonVma;
  if (parentAv === null) return;
  const own = mem.newAnonVma(parentAv);
  const lock = own.lock; // the root's
  return andThen(lock.lockWrite(task), () => {
    for (const chain of src.chains) linkAnonVma(dst, chain.anonVma);
    linkAnonVma(dst, own);
    dst.anonVma = own;
    return lock.unlockWrite(task);
  });
}

/**
 * `copy_page_range()`. A vma without an anon_vma is not copied (`vma_needs_copy`,
 * every era): the child faults those pages in from the page cache. A COW mapping
 * (private, `VM_MAYWRITE`) is copied inside a PROTECTION_PAGE notifier range on the
 * **parent** mm (2008 eras: a range on the parent too), because the parent's
 * writable entries are write-protected.
 */
function copyPageRange(copy: ForkCopy, dst: Vma, src: Vma): void | Promise<void> {
  if (src.anonVma === null) return;
  copy.dstVma = dst;
  copy.srcVma = src;
  copy.cow = src.isPrivate && (src.flags & VM.mayWrite) !== 0;
  const tables: PteTable[] = [];
  copy.srcMm.pageTable.forEachTable(pageNumber(src.start), pageNumber(src.end), (t) => void tables.push(t));
  const step = (k: number): void | Promise<void> => {
    for (; k < tables.length; k++) {
      const r = copyPteTable(copy, tables[k]!);
      if (r instanceof Promise) return r.then(() => step(k + 1));
    }
  };
  if (!copy.cow) return step(0);
  const range = notifierRange(copy.srcMm, src.start, src.end, 'protection-page');
  return andThen(notifyRangeStart(copy.task, range), () => ensure(() => step(0), () => notifyRangeEnd(copy.task, range)));
}

/** One PTE table: allocate the child's under its `page_table_lock` (`pte_alloc_map_lock`), then copy. */
function copyPteTable(copy: ForkCopy, table: PteTable): void | Promise<void> {
  const { task, dstMm: child, srcVma: src } = copy;
  const from = Math.max(pageNumber(src.start), table.base) - table.base;
  const to = Math.min(pageNumber(src.end), table.base + PTRS_PER_TABLE) - table.base;
  return andThen(child.pageTableLock.lock(task), () => {
    const dt = child.pageTable.ensure(table.base);
    return andThen(child.pageTableLock.unlock(task), () => copyPteRange(copy, dt, table, from, to));
  });
}

/**
 * `copy_pte_range()`: the child's PT lock, then the parent's with
 * `spin_lock_nested(SINGLE_DEPTH_NESTING)`; entries `[from, to)` copied by
 * `copy_present_pte`. When a page must be copied at once (v6: an anonymous page
 * that may be DMA-pinned, `folio_try_dup_anon_rmap_pte` failing), both locks are
 * dropped, a page is allocated into `copy.prealloc` (`folio_prealloc`, may sleep) and
 * the copy resumes at that entry with it (`copy_present_page`).
 */
function copyPteRange(copy: ForkCopy, dt: PteTable, st: PteTable, from: number, to: number): void | Promise<void> {
  const { mem, task } = copy;
  return andThen(dt.ptl.lock(task), () =>
    andThen(st.ptl.lockNested(task, 1), () => {
      const f = mem.frames;
      const { srcMm, dstMm, cow } = copy;
      const shared = !copy.srcVma.isPrivate;
      let again = -1;
      let wrprotected = false;
      for (let i = from; i < to; i++) {
        const bits = st.bits[i]!;
        if (bits === 0) continue;
        const pfn = st.word[i]!;
        if ((bits & PTE.present) === 0) {
          copyNonPresent(copy, dt, st, i, bits);
          continue;
        }
        const special = (bits & PTE.special) !== 0;
        if (!special && mem.era === 'v6' && mustCopyAtFork(mem, copy, pfn)) {
          if (copy.prealloc < 0) {
            again = i;
            break;
          }
          copyPresentPage(copy, dt, i, pfn);
          continue;
        }
        if (!special) {
          mem.allocator.get(pfn);
          addRmap(mem, pfn);
          f.flags[pfn] = f.flags[pfn]! & ~PG.anonExclusive; // COW-shared now
          recordFrame(mem, pfn, 'map', task);
          dstMm.rss++;
        }
        let child = bits & ~PTE.young; // pte_mkold
        if (cow && (bits & PTE.write) !== 0) {
          updatePteBits(mem, srcMm, st, i, bits & ~PTE.write, 'fork-wrprotect'); // ptep_set_wrprotect
          child &= ~PTE.write;
          wrprotected = true;
        }
        if (shared) child &= ~PTE.dirty; // pte_mkclean for VM_SHARED
        setPte(mem, dstMm, dt, i, pfn, child, 'fork-copy');
      }
      if (wrprotected) copy.flushParent = true; // flushed once after the copy: flush_tlb_mm(oldmm)
      return andThen(st.ptl.unlock(task), () =>
        andThen(dt.ptl.unlock(task), () => {
          if (again < 0) {
            if (copy.prealloc >= 0) {
              mem.allocator.put(task, copy.prealloc); // the pinned page went away meanwhile
              copy.prealloc = -1;
            }
            return;
          }
          return andThen(mem.allocator.alloc(task, 'user', false), (page) => {
            copy.prealloc = page;
            return copyPteRange(copy, dt, st, again, to);
          });
        }),
      );
    }),
  );
}

/**
 * v6's gate (`folio_try_dup_anon_rmap_pte` failing with EBUSY): an anonymous page of a
 * COW mapping that is still exclusive to the parent, in an mm that has ever pinned
 * (`MMF_HAS_PINNED`), and that may be DMA-pinned (`folio_maybe_dma_pinned`). A page
 * already COW-shared is not copied — v6 pins only exclusive pages, so it cannot be one.
 */
function mustCopyAtFork(mem: MemoryState, copy: ForkCopy, pfn: number): boolean {
  const f = mem.frames;
  return copy.cow && copy.srcMm.hasPinned && mem.isAnon(pfn) && (f.flags[pfn]! & PG.anonExclusive) !== 0 && f.pincount[pfn]! > 0;
}

/**
 * `copy_present_page()`: the child gets its own copy, `copy.prealloc` (taken here), of
 * a pinned anonymous page, so the pin keeps seeing the parent's page; the parent's
 * entry is left as it was.
 */
function copyPresentPage(copy: ForkCopy, dt: PteTable, i: number, pfn: number): void {
  const { mem, dstVma: dst } = copy;
  const page = copy.prealloc;
  copy.prealloc = -1;
  const address = (dt.base + i) * PAGE_SIZE;
  mem.frames.content[page] = mem.frames.content[pfn]!;
  addNewAnonRmap(mem, page, dst, address);
  const access = (dst.flags & VM_PROT_MASK) !== 0 ? PTE.user : 0;
  setPte(mem, dst.mm, dt, i, page, PTE.present | access | PTE.dirty | ((dst.flags & VM.write) !== 0 ? PTE.write : 0), 'fork-copy');
  recordFrame(mem, page, 'map', copy.task);
  dst.mm.rss++;
}

/**
 * `copy_nonpresent_pte()`: swap and migration entries are copied. A swap entry's slot
 * gains a use (`swap_duplicate`), so its count stays the number of entries naming it;
 * a writable migration entry of a COW mapping becomes readable on both sides.
 */
function copyNonPresent(copy: ForkCopy, dt: PteTable, st: PteTable, i: number, bits: number): void {
  const { mem, dstMm } = copy;
  if (isSwapPte(bits)) {
    swapOf(mem).dupSlot(st.word[i]!);
    setPte(mem, dstMm, dt, i, st.word[i]!, bits, 'fork-copy');
    return;
  }
  let b = bits;
  if (copy.cow && (bits & PTE.migrationWrite) !== 0) {
    b &= ~PTE.migrationWrite;
    updatePteBits(mem, copy.srcMm, st, i, b, 'fork-wrprotect');
  }
  setPte(mem, dstMm, dt, i, st.word[i]!, b, 'fork-copy');
}
