import type { Task } from '../kernel/sched/task.js';
import { andThen, ensure } from '../kernel/util/flow.js';
import { PAGE_SIZE, pageNumber, PTRS_PER_TABLE } from './layout.js';
import type { MemoryState } from './memory-state.js';
import type { Vma } from './mm-types.js';
import { notifierRange, notifyRangeEnd, notifyRangeStart, notifySecondaryTlbs } from './notify.js';
import type { PteTable } from './page-table.js';
import { clearPte, setPte } from './pte-ops.js';
import { PTE } from './pte.js';

/**
 * `move_page_tables()`: move the entries of `[oldAddr, oldAddr + length)` of `vma` to
 * `newAddr` (same mm, where the caller made the new vma), extent by extent, an extent never crossing a PTE
 * table on either side. Entries move as they are — present, swap or migration — with
 * their page, mapcount and rss: only their address changes, and the page's index
 * stays valid because the new vma's `pgoff` continues `vma`'s.
 *
 * The notifier calls follow the era:
 * - `v6`: one UNMAP range over the whole old span around the loop
 *   (`mmu_notifier_range_init(MMU_NOTIFY_UNMAP)` in `move_page_tables`);
 * - 2008 eras: one range per extent, begun inside `move_ptes` before it takes
 *   `i_mmap_lock` (2.6.27's `move_ptes` brackets its own extent).
 */
export function movePageTables(mem: MemoryState, task: Task, vma: Vma, oldAddr: number, newAddr: number, length: number): void | Promise<void> {
  const perExtent = mem.era !== 'v6';
  const oldEnd = oldAddr + length;
  const step = (from: number, to: number): void | Promise<void> => {
    while (from < oldEnd) {
      const extent = extentAt(from, to, oldEnd);
      // The body may run after a suspended range start, when the loop has moved on: give it this extent's addresses.
      const [f, t] = [from, to];
      const r = perExtent ? bracket(task, vma, f, f + extent, () => movePtes(mem, task, vma, f, t, extent)) : movePtes(mem, task, vma, f, t, extent);
      from += extent;
      to += extent;
      if (r instanceof Promise) return r.then(() => step(from, to));
    }
  };
  if (perExtent) return step(oldAddr, newAddr);
  return bracket(task, vma, oldAddr, oldEnd, () => step(oldAddr, newAddr));
}

/** Bytes from `from` (old) / `to` (new) up to the nearer PTE-table boundary, at most to `oldEnd`. */
function extentAt(from: number, to: number, oldEnd: number): number {
  const span = PTRS_PER_TABLE * PAGE_SIZE;
  return Math.min(span - (from % span), span - (to % span), oldEnd - from);
}

/** `[start, end)` of `vma`'s mm inside an UNMAP notifier range. */
function bracket(task: Task, vma: Vma, start: number, end: number, body: () => void | Promise<void>): void | Promise<void> {
  const range = notifierRange(vma.mm, start, end, 'unmap');
  return andThen(notifyRangeStart(task, range), () => ensure(body, () => notifyRangeEnd(task, range)));
}

/**
 * `move_ptes()`: one extent, under the rmap locks, the old table's PT lock and the new
 * one's (`spin_lock_nested`, when they differ). An rmap walk therefore finds each page
 * at its old address or its new one, never neither.
 *
 * Which rmap locks: 2.6.27 took the file's `i_mmap_lock` (file mappings only); v6's
 * `take_rmap_locks` takes `i_mmap_rwsem` and the anon_vma lock when `need_rmap_locks`
 * says the new vma may come before the old one in an rmap walk. The model always
 * takes them in v6 — its rmap walks do not promise the kernel's traversal order.
 *
 * A present entry moved means the old address may still be cached: v6 flushes the
 * range (`flush_tlb_range`, which reaches `arch_invalidate_secondary_tlbs`) before the
 * PT locks drop; 2.6.27's `ptep_clear_flush` flushed each page with no notifier call.
 */
function movePtes(mem: MemoryState, task: Task, vma: Vma, oldAddr: number, newAddr: number, length: number): void | Promise<void> {
  const mm = vma.mm;
  const oldTable = mm.pageTable.lookup(pageNumber(oldAddr));
  if (oldTable === undefined || oldTable.used === 0) return;
  const newTable = mm.pageTable.ensure(pageNumber(newAddr));
  const move = (): void | Promise<void> =>
    andThen(oldTable.ptl.lock(task), () =>
      andThen(newTable === oldTable ? undefined : newTable.ptl.lockNested(task, 1), () => {
        const flushed = moveEntries(mem, vma, oldTable, oldAddr, newTable, newAddr, length);
        const flush = flushed && mem.era === 'v6' ? notifySecondaryTlbs(task, mm, oldAddr, oldAddr + length) : undefined;
        return andThen(flush, () => andThen(newTable === oldTable ? undefined : newTable.ptl.unlock(task), () => oldTable.ptl.unlock(task)));
      }),
    );
  if (mem.era === 'v6') return withRmapLocks(task, vma, move);
  const file = vma.file;
  if (file === null) return move();
  return andThen(file.iMmapLock.lockWrite(task), () => ensure(move, () => file.iMmapLock.unlockWrite(task)));
}

/** Move the entries; true if a present one moved (the old address needs a TLB flush). */
function moveEntries(mem: MemoryState, vma: Vma, oldTable: PteTable, oldAddr: number, newTable: PteTable, newAddr: number, length: number): boolean {
  const mm = vma.mm;
  const from = pageNumber(oldAddr) - oldTable.base;
  const to = pageNumber(newAddr) - newTable.base;
  let present = false;
  for (let k = 0; k < length / PAGE_SIZE; k++) {
    const bits = oldTable.bits[from + k]!;
    if (bits === 0) continue;
    const word = oldTable.word[from + k]!;
    if ((bits & PTE.present) !== 0) present = true;
    clearPte(mem, mm, oldTable, from + k, 'mremap');
    setPte(mem, mm, newTable, to + k, word, bits, 'mremap');
  }
  return present;
}

/** v6's `take_rmap_locks()` … `drop_rmap_locks()` around `body`: `i_mmap_rwsem`, then the anon_vma lock, both for writing. */
function withRmapLocks(task: Task, vma: Vma, body: () => void | Promise<void>): void | Promise<void> {
  const file = vma.file;
  const anon = vma.anonVma;
  const locked = andThen(file === null ? undefined : file.iMmapLock.lockWrite(task), () => (anon === null ? undefined : anon.lock.lockWrite(task)));
  return andThen(locked, () =>
    ensure(body, () => andThen(anon === null ? undefined : anon.lock.unlockWrite(task), () => (file === null ? undefined : file.iMmapLock.unlockWrite(task)))),
  );
}
