import { andThen } from '../kernel/util/flow.js';
import { PG } from './frames.js';
import type { MemoryState } from './memory-state.js';
import { VM, type Vma } from './mm-types.js';
import { recordFrame, setPte } from './pte-ops.js';
import { PTE } from './pte.js';
import { addNewAnonRmap, anonVmaPrepare } from './rmap.js';
import { FAULT_FLAG, USER, USER_WRITE, type VmFault } from './vm-fault.js';

/**
 * `do_anonymous_page()`: a zeroed private page for a write; for a read, v6 maps the
 * shared zero page, while 2.6.24–2.6.31 (both 2008 eras) had dropped `ZERO_PAGE` there
 * and allocated a zeroed page for reads too, mapped dirty and, in a writable vma,
 * writable (`maybe_mkwrite(pte_mkdirty(entry))`).
 */
export function doAnonymousPage(vmf: VmFault): void | Promise<void> {
  const { mem, task, vma, table, index: i } = vmf;
  const bits = mem.era !== 'v6' && (vma.flags & VM.write) === 0 ? USER | PTE.dirty : USER_WRITE;
  if ((vmf.flags & FAULT_FLAG.write) === 0 && mem.era === 'v6') {
    return andThen(table.ptl.lock(task), () => {
      if (table.bits[i] === 0) setPte(mem, vma.mm, table, i, mem.allocator.zeroPfn, USER | PTE.special, 'fault');
      return table.ptl.unlock(task);
    });
  }
  return andThen(anonVmaPrepare(mem, task, vma), () =>
    andThen(mem.allocator.alloc(task, 'user', true), (pfn) =>
      andThen(table.ptl.lock(task), () => {
        if (table.bits[i] !== 0) mem.allocator.put(task, pfn); // someone else faulted it in
        else mapNewAnon(vmf, pfn, 'fault', bits);
        return table.ptl.unlock(task);
      }),
    ),
  );
}

/**
 * Map `pfn` as a new anonymous page at the fault's entry, under the PT lock: the
 * kernel's `folio_add_new_anon_rmap()` + `set_pte_at()` + `inc_mm_counter()`, shared
 * by the anonymous, COW, swap-in and write-protect-copy faults.
 */
export function mapNewAnon(vmf: VmFault, pfn: number, cause: 'fault' | 'cow' | 'swapin' = 'fault', bits: number = USER_WRITE): void {
  const { mem, vma } = vmf;
  addNewAnonRmap(mem, pfn, vma, vmf.address);
  mlockNew(mem, vma, pfn);
  setPte(mem, vma.mm, vmf.table, vmf.index, pfn, bits, cause);
  recordFrame(mem, pfn, 'map', vmf.task);
  vma.mm.rss++;
}

/** `mlock_new_folio()`: a page mapped into a VM_LOCKED vma is mlocked. */
export function mlockNew(mem: MemoryState, vma: Vma, pfn: number): void {
  if ((vma.flags & VM.locked) !== 0) mem.frames.flags[pfn] = mem.frames.flags[pfn]! | PG.mlocked;
}
