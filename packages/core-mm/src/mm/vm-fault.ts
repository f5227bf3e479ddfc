import type { Task } from '../kernel/sched/task.js';
import { pageNumber, pteIndex } from './layout.js';
import type { MemoryState } from './memory-state.js';
import type { Vma } from './mm-types.js';
import type { PteTable } from './page-table.js';
import { PTE } from './pte.js';

/**
 * `enum fault_flag` (include/linux/mm_types.h): the `FAULT_FLAG_*` bits of
 * {@link VmFault.flags}, at the kernel's values. Only the ones the model acts on.
 */
export const FAULT_FLAG = {
  /** `FAULT_FLAG_WRITE`: the access is a write. */
  write: 1 << 0,
  /**
   * `FAULT_FLAG_UNSHARE` (v6, from GUP): give this mm its own copy of a COW-shared
   * anonymous page, keeping the entry's permission (read-only stays read-only).
   */
  unshare: 1 << 10,
} as const;

/** A fresh read-only user entry: `mk_pte(page, vma->vm_page_prot)` of a readable vma. */
export const USER = PTE.present | PTE.user;
/** A fresh entry for a write: `maybe_mkwrite(pte_mkdirty(entry), vma)`, dirty because the write follows. */
export const USER_WRITE = USER | PTE.write | PTE.dirty;

/**
 * `struct vm_fault` (include/linux/mm.h): one fault, handed by reference down the
 * handlers (`handle_pte_fault`, `do_anonymous_page`, `do_fault`, `do_wp_page`,
 * `do_swap_page`, ...) instead of their long argument lists. One per fault, as the
 * kernel has one on `__handle_mm_fault()`'s stack: created by `faultLocked` (and
 * `unshareFault` for GUP) once the PTE table exists; nothing in a handler
 * allocates another.
 *
 * Deliberate differences:
 * - `mem` and `task` travel in it: the kernel reaches its globals and `current`.
 * - `vmf->pte` is {@link table} plus {@link index}: the model's PTE table is two
 *   typed arrays, not memory a pointer can point into. No `pmd`, `pud` or `ptl`
 *   (the table carries its lock, `table.ptl`), no `gfp_mask`, `prealloc_pte`.
 * - Made after `__pte_alloc()`, so the table is never missing; the kernel fills
 *   `vmf->pte` later, in `handle_pte_fault()`.
 * - `vmf->orig_pte` is split as the table is ({@link origBits}, {@link origWord})
 *   and is read at creation, from a new table too (where it is none).
 * - No `real_address`: only `bad_area`'s SIGSEGV names the unaligned address, and
 *   that is raised before the fault is made.
 * - Pages are pfns, `-1` for none (`NULL`).
 */
export class VmFault {
  /** The memory the fault runs in (the kernel's globals). */
  readonly mem: MemoryState;
  /** The faulting task (`current`). */
  readonly task: Task;
  /** `vmf->vma`: the vma covering {@link address}. */
  readonly vma: Vma;
  /** `vmf->address`: the faulting address, page-aligned. */
  readonly address: number;
  /** `vmf->pgoff`: the file page under {@link address} (`linear_page_index`). */
  readonly pgoff: number;
  /** `vmf->flags`: {@link FAULT_FLAG} bits. */
  readonly flags: number;
  /** `vmf->pte`'s table: the PTE table mapping {@link address}. */
  readonly table: PteTable;
  /** `vmf->pte`'s entry: the index of {@link address}'s entry in {@link table}. */
  readonly index: number;
  /** `vmf->orig_pte`'s bits: the entry's {@link PTE} bits when the fault began. */
  readonly origBits: number;
  /** `vmf->orig_pte`'s word: the pfn, swap slot or migrating pfn when the fault began. */
  readonly origWord: number;
  /**
   * `vmf->page`: the page the fault found — the page-cache page (`->fault`), the
   * swap-cache page, or the normal page a write-protect fault copies or reuses
   * (`vm_normal_page`: -1 for the zero page). -1 until found.
   */
  page = -1;
  /** `vmf->cow_page`: the new anonymous page of a private file write (`do_cow_fault`). -1 until allocated. */
  cowPage = -1;

  constructor(mem: MemoryState, task: Task, vma: Vma, address: number, flags: number, table: PteTable) {
    this.mem = mem;
    this.task = task;
    this.vma = vma;
    this.address = address;
    this.pgoff = vma.pageIndex(address);
    this.flags = flags;
    this.table = table;
    const i = pteIndex(pageNumber(address));
    this.index = i;
    this.origBits = table.bits[i]!;
    this.origWord = table.word[i]!;
  }
}
