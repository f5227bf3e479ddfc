import { SmmuError } from '../kernel/errors.js';
import type { Task } from '../kernel/sched/task.js';
import { andThen, ensure } from '../kernel/util/flow.js';
import { hex, pageAligned, pageAlignUp, pageNumber, PTRS_PER_TABLE, TASK_SIZE } from './layout.js';
import type { MemoryState } from './memory-state.js';
import type { Mm } from './mm-types.js';
import { assertAlive, requireMm } from './mmap.js';
import { notifierRange, notifyRangeEnd, notifyRangeStart, notifySecondaryTlbs } from './notify.js';
import type { PteTable } from './page-table.js';
import { updatePteBits } from './pte-ops.js';
import { PG } from './frames.js';
import { PTE } from './pte.js';
import { mergeAround, splitVma } from './vma-ops.js';
import { VM, VM_PROT_MASK, type Vma } from './mm-types.js';

/** `PROT_READ | PROT_WRITE | PROT_EXEC`: every bit `arch_validate_prot()` accepts here. */
const PROT_KNOWN = 7;

/**
 * `mprotect()` (`do_mprotect_pkey`). Linux's answers, in Linux's order: an unaligned
 * `addr` is EINVAL; a zero `len` succeeds at once (before `prot` is looked at, as in
 * the kernel); a length whose page-rounded end overflows is ENOMEM; unknown `prot`
 * bits are EINVAL; a range reaching beyond user space is ENOMEM (the kernel finds no
 * vma there; the model refuses before changing anything). A non-integer or negative
 * `len` (no `size_t` value) is EINVAL.
 *
 * Under `mmap_lock` for writing: a range that starts in a hole is ENOMEM and nothing
 * changes. Otherwise the vmas are changed one at a time, in address order
 * (`mprotect_fixup`: split at the range's edges, set the flags, `change_protection`,
 * merge with the neighbours). A hole in the middle or at the end is ENOMEM **after
 * the vmas before it were changed** — Linux does the same and does not undo them.
 *
 * PTEs (`change_pte_range`): losing `PROT_WRITE` clears the write bit; `PROT_NONE`
 * clears the user bit (the entry stays present and keeps its page; a CPU access
 * faults and gets SIGSEGV); any access restores the user bit. Gaining `PROT_WRITE`
 * does **not** set the write bit: the next write faults and is resolved as the
 * mapping requires (write-protect reuse, `page_mkwrite` for shared files, COW).
 *
 * The `EACCES` check (`PROT_WRITE` on a vma without `VM_MAYWRITE`) is not modelled:
 * every mapping the model creates has `VM_MAYWRITE`.
 */
export function mprotect(mem: MemoryState, task: Task, addr: number, len: number, prot: number): void | Promise<void> {
  const mm = requireMm(task);
  if (!Number.isSafeInteger(addr) || addr < 0) throw new SmmuError('EINVAL', `mprotect: address ${String(addr)} is not a valid user address`);
  if (!pageAligned(addr)) throw new SmmuError('EINVAL', `mprotect: address ${hex(addr)} is not page aligned`);
  if (!Number.isInteger(len) || len < 0) throw new SmmuError('EINVAL', `mprotect: length ${String(len)} is not a valid length`);
  if (len === 0) return;
  const end = addr + pageAlignUp(len);
  if (!Number.isSafeInteger(end) || end <= addr) throw new SmmuError('ENOMEM', `mprotect: length ${len} overflows from ${hex(addr)}`);
  if (!Number.isInteger(prot) || prot < 0 || prot > PROT_KNOWN) throw new SmmuError('EINVAL', `mprotect: prot ${String(prot)} has unknown bits`);
  if (end > TASK_SIZE) throw new SmmuError('ENOMEM', `mprotect: range ${hex(addr)}-${hex(end)} is outside the user address space (ends at ${hex(TASK_SIZE)})`);
  const protFlags = (prot & 1 ? VM.read : 0) | (prot & 2 ? VM.write : 0) | (prot & 4 ? VM.exec : 0);
  return andThen(mm.mmapLock.downWrite(task), () =>
    ensure(
      () =>
        fixupVmas(
          task,
          mm,
          addr,
          end,
          'mprotect',
          (flags) => (flags & ~VM_PROT_MASK) | protFlags,
          (vma, start, stop) => changeProtectionRange(mem, task, vma, start, stop),
        ),
      () => mm.mmapLock.upWrite(task),
    ),
  );
}

/**
 * The vma walk shared by `mprotect` and `mlock` (`do_mprotect_pkey`,
 * `apply_vma_lock_flags`), with `mmap_lock` held for writing: ENOMEM with nothing
 * changed if `start` is in a hole; then, vma by vma, where `newFlags` changes the
 * flags, split at the range's edges, set them, run `apply` on the vma's part of the
 * range, and merge (`mprotect_fixup`, `mlock_fixup`). A later hole is ENOMEM with the
 * vmas before it already changed, as in Linux.
 */
export function fixupVmas(
  task: Task,
  mm: Mm,
  start: number,
  end: number,
  what: string,
  newFlags: (flags: number) => number,
  apply: (vma: Vma, start: number, end: number) => void | Promise<void>,
): void | Promise<void> {
  assertAlive(task, mm);
  if (mm.vmas.lookup(start) === undefined) throw new SmmuError('ENOMEM', `${what}: ${hex(start)} (start of ${hex(start)}-${hex(end)}) is not mapped`);
  const step = (cursor: number): void | Promise<void> => {
    while (cursor < end) {
      const vma = mm.vmas.lookup(cursor);
      if (vma === undefined) {
        throw new SmmuError('ENOMEM', `${what}: ${hex(cursor)} in ${hex(start)}-${hex(end)} is not mapped (${hex(start)}-${hex(cursor)} was already changed, as Linux does)`);
      }
      const stop = Math.min(vma.end, end);
      const flags = newFlags(vma.flags);
      if (flags !== vma.flags) {
        const r = fixupVma(task, vma, cursor, stop, flags, apply);
        if (r instanceof Promise) return r.then(() => step(stop));
      }
      cursor = stop;
    }
  };
  return step(start);
}

/** One vma's part of the range: split at the edges, set the flags, `apply`, merge. */
function fixupVma(task: Task, vma: Vma, start: number, end: number, flags: number, apply: (vma: Vma, start: number, end: number) => void | Promise<void>): void | Promise<void> {
  return andThen(vma.start < start ? splitVma(task, vma, start) : vma, (v) =>
    andThen(v.end > end ? splitVma(task, v, end) : v, () => {
      v.flags = flags; // vm_flags_reset(): mmap_lock held for writing
      return andThen(apply(v, start, end), () => andThen(mergeAround(task, v), () => undefined));
    }),
  );
}

/**
 * `change_protection()` over `[start, end)` of `vma` (its flags already changed),
 * inside the era's notifier range: PROTECTION_VMA in v6 — begun, as
 * `change_pud_range` does, only if page tables cover part of the range — and an
 * unconditional range in the 2008 eras (`mmu_notifier_invalidate_range_start` in
 * 2.6.27's `change_protection`).
 */
export function changeProtectionRange(mem: MemoryState, task: Task, vma: Vma, start: number, end: number): void | Promise<void> {
  const mm = vma.mm;
  const tables: PteTable[] = [];
  mm.pageTable.forEachTable(pageNumber(start), pageNumber(end), (t) => void tables.push(t));
  if (tables.length === 0 && mem.era === 'v6') return;
  const range = notifierRange(mm, start, end, 'protection-vma');
  const lost = { any: false };
  const step = (k: number): void | Promise<void> => {
    for (; k < tables.length; k++) {
      const r = changePteRange(mem, task, vma, tables[k]!, start, end, lost);
      if (r instanceof Promise) return r.then(() => step(k + 1));
    }
  };
  const changed = andThen(notifyRangeStart(task, range), () => ensure(() => step(0), () => notifyRangeEnd(task, range)));
  // A downgrade may reach TLBs sharing the page table after the range: tlb_finish_mmu's flush.
  return andThen(changed, () => (lost.any ? notifySecondaryTlbs(task, mm, start, end) : undefined));
}

/**
 * `can_change_pte_writable()`: granting write may make an entry writable at once when
 * no fault is needed to decide — an exclusive anonymous page of a private mapping
 * (`PageAnonExclusive`: mapped once, every other reference a pin), or an already
 * dirty page of a shared one. Everything else waits for the write fault. (`PageAnonExclusive` is set for
 * every anonymous page the model creates and cleared when fork shares it.)
 */
function canChangePteWritable(mem: MemoryState, vma: Vma, pfn: number, bits: number): boolean {
  if ((bits & PTE.special) !== 0) return false;
  if (!vma.isPrivate) return (bits & PTE.dirty) !== 0;
  const f = mem.frames;
  return (f.flags[pfn]! & PG.anonExclusive) !== 0;
}

/**
 * `change_pte_range()`: one PTE table under its PT lock. A present entry that lost a
 * permission is noted in `lost`: the caller flushes the secondary TLBs sharing the
 * page table (v6) once, after the notifier range, as `tlb_finish_mmu` does. A writable migration entry becomes a readable one when the
 * vma loses write (`make_readable_migration_entry`).
 */
function changePteRange(mem: MemoryState, task: Task, vma: Vma, table: PteTable, start: number, end: number, lost: { any: boolean }): void | Promise<void> {
  const write = (vma.flags & VM.write) !== 0;
  const access = (vma.flags & VM_PROT_MASK) !== 0;
  const tryWritable = write && mem.era === 'v6'; // MM_CP_TRY_CHANGE_WRITABLE, since 6.0
  return andThen(table.ptl.lock(task), () => {
    const from = Math.max(pageNumber(start), table.base) - table.base;
    const to = Math.min(pageNumber(end), table.base + PTRS_PER_TABLE) - table.base;

    for (let i = from; i < to; i++) {
      const bits = table.bits[i]!;
      if (bits === 0) continue;
      let next = bits;
      if ((bits & PTE.present) !== 0) {
        if (!write) next &= ~PTE.write;
        else if (tryWritable && canChangePteWritable(mem, vma, table.word[i]!, bits)) next |= PTE.write;
        next = access ? next | PTE.user : next & ~(PTE.user | PTE.write);
        if ((bits & ~next & (PTE.write | PTE.user)) !== 0) lost.any = true;
      } else if (!write) {
        next &= ~PTE.migrationWrite;
      }
      if (next !== bits) updatePteBits(mem, vma.mm, table, i, next, 'mprotect');
    }
    return table.ptl.unlock(task);
  });
}
