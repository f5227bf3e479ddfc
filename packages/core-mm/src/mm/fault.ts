import { SmmuError } from '../kernel/errors.js';
import type { Task } from '../kernel/sched/task.js';
import { andThen, ensure } from '../kernel/util/flow.js';
import { doAnonymousPage } from './fault-anon.js';
import { doFault } from './fault-file.js';
import { doSwapPage } from './fault-swap.js';
import { doWpPage, wpPageCopy } from './fault-wp.js';
import { PG } from './frames.js';
import { hex, PAGE_SIZE, pageNumber } from './layout.js';
import type { MemoryState } from './memory-state.js';
import { VM, VM_PROT_MASK, type Mm, type Vma } from './mm-types.js';
import { assertAlive } from './mmap.js';
import { updatePteBits } from './pte-ops.js';
import { isMigrationPte, isSwapPte, PTE } from './pte.js';
import { FAULT_FLAG, VmFault } from './vm-fault.js';

/*
 * The fault path, as mm/memory.c splits it: this file checks the access, makes the
 * one {@link VmFault} of the fault and dispatches on the entry (`handle_pte_fault`);
 * the handlers take that VmFault — fault-anon.ts (`do_anonymous_page`), fault-file.ts
 * (`do_fault`: read, COW and shared faults of file pages), fault-wp.ts (`do_wp_page`,
 * `wp_page_copy`), fault-swap.ts (`do_swap_page`).
 */

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

/**
 * The fault with `mmap_lock` held (`__handle_mm_fault()`): check the vma, allocate
 * the PTE table if needed (`__pte_alloc`), then build the fault's {@link VmFault}
 * (`FAULT_FLAG_WRITE` for `write`) and resolve the entry.
 */
export function faultLocked(mem: MemoryState, task: Task, mm: Mm, faultAddress: number, write: boolean): void | Promise<void> {
  assertAlive(task, mm);
  const address = faultAddress - (faultAddress % PAGE_SIZE); // vmf->address: the page's
  const vma = mm.vmas.lookup(address);
  // A read needs any access (`vma_is_accessible`): x86 cannot map write or exec without read.
  if (vma === undefined || (vma.flags & (write ? VM.write : VM_PROT_MASK)) === 0) throw badArea(task, vma, faultAddress, write);
  const flags = write ? FAULT_FLAG.write : 0;
  const vpn = pageNumber(address);
  const table = mm.pageTable.lookup(vpn);
  if (table !== undefined) return handlePteFault(new VmFault(mem, task, vma, address, flags, table));
  // __pte_alloc: upper levels are populated under mm->page_table_lock.
  return andThen(mm.pageTableLock.lock(task), () => {
    const t = mm.pageTable.ensure(vpn);
    return andThen(mm.pageTableLock.unlock(task), () => handlePteFault(new VmFault(mem, task, vma, address, flags, t)));
  });
}

/**
 * `bad_area()`: the SIGSEGV of an access no vma allows — SEGV_MAPERR without a vma,
 * SEGV_ACCERR without the permission. Out of line: the error text stays off the hot path.
 */
function badArea(task: Task, vma: Vma | undefined, address: number, write: boolean): SmmuError {
  const access = `${task.name}: ${write ? 'write to' : 'read of'} ${hex(address)}`;
  if (vma === undefined) return SmmuError.answer('SIGSEGV', `${access}: no mapping there (SEGV_MAPERR)`);
  return SmmuError.answer('SIGSEGV', `${access}: the mapping ${vma.toString()} does not allow it (SEGV_ACCERR)`);
}

/**
 * `handle_pte_fault()`: dispatch on `vmf.orig_pte` — none, swap or migration entry,
 * PROT_NONE, write-protected, or spurious. Kept small, with the rare cases out of
 * line, so the JIT inlines it and the VmFault's allocation into {@link faultLocked}.
 */
function handlePteFault(vmf: VmFault): void | Promise<void> {
  const bits = vmf.origBits;
  if (bits === 0) return vmf.vma.isAnonymous ? doAnonymousPage(vmf) : doFault(vmf);
  if ((bits & PTE.present) === 0) {
    if (isSwapPte(bits)) return doSwapPage(vmf);
    if (isMigrationPte(bits)) return migrationEntryWait(vmf.mem, vmf.task, vmf.origWord);
    throw badEntry(vmf);
  }
  if ((bits & PTE.user) === 0) throw badEntry(vmf);
  if ((vmf.flags & FAULT_FLAG.write) !== 0 && (bits & PTE.write) === 0) return doWpPage(vmf);
  return spuriousFault(vmf);
}

/**
 * An entry no handler takes: a non-present entry of no known kind (EFAULT, a model
 * bug), or PROT_NONE — present for the kernel but not for the user (SIGSEGV).
 */
function badEntry(vmf: VmFault): SmmuError {
  const { task, address, origBits: bits } = vmf;
  if ((bits & PTE.present) === 0) return new SmmuError('EFAULT', `${task.name}: fault at ${hex(address)} on a non-present entry (bits ${bits}) of no known kind (model bug)`);
  return SmmuError.answer('SIGSEGV', `${task.name}: access to ${hex(address)}: PROT_NONE (SEGV_ACCERR)`);
}

/** A spurious fault: another task resolved it first. The hardware walk sets the bits (`pte_mkyoung`, and `pte_mkdirty` for a write). */
function spuriousFault(vmf: VmFault): void | Promise<void> {
  const { mem, task, table, index: i } = vmf;
  return andThen(table.ptl.lock(task), () => {
    updatePteBits(mem, vmf.vma.mm, table, i, table.bits[i]! | PTE.young | ((vmf.flags & FAULT_FLAG.write) !== 0 ? PTE.dirty : 0), 'fault');
    return table.ptl.unlock(task);
  });
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
 * `FAULT_FLAG_UNSHARE` (v6): before a read-only pin of an anonymous page that is not
 * exclusive (COW-shared with a fork), give this mm its own copy, mapped read-only as
 * before, so the pin and the process keep seeing the same page. The caller holds
 * `mmap_lock`; a no-op when there is nothing to unshare. The kernel gets here through
 * `handle_mm_fault()` and `do_wp_page()`; here GUP calls it directly and it goes
 * straight to `wp_page_copy()` with a {@link VmFault} of its own.
 */
export function unshareFault(mem: MemoryState, task: Task, mm: Mm, address: number): void | Promise<void> {
  const vma = mm.vmas.lookup(address);
  const table = mm.pageTable.lookup(pageNumber(address));
  if (vma === undefined || table === undefined) return;
  const vmf = new VmFault(mem, task, vma, address - (address % PAGE_SIZE), FAULT_FLAG.unshare, table);
  const bits = vmf.origBits;
  const pfn = vmf.origWord;
  if ((bits & PTE.present) === 0 || (bits & PTE.special) !== 0 || !mem.isAnon(pfn) || (mem.frames.flags[pfn]! & PG.anonExclusive) !== 0) return;
  vmf.page = pfn;
  return wpPageCopy(vmf);
}
