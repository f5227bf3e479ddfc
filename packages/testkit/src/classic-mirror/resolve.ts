import { getUserPages, putPage, SmmuError, VM, walkPageTable, type Task } from '@secondary-mmu/core-mm';
import type { ClassicMirrorState } from './state.js';

/** What {@link classicMirrorResolve} found: the frame backing the page and whether the device may write it. */
export interface ClassicMirrorResolved {
  readonly pfn: number;
  readonly writable: boolean;
}

/**
 * Resolve the frame behind the page at `address` as the primary MMU maps it, faulting
 * it in (for writing when `write`): with `mmap_lock` held for reading, check the vma
 * the way `hmm_range_fault` answers (EFAULT: nothing mapped or not readable; EPERM: a
 * write to a mapping without write permission), then `get_user_pages` one page, note
 * whether the CPU entry is writable, and `put_page` at once — the mirror keeps no
 * reference, the answer is good only until the next invalidation, which the caller's
 * sequence check detects. May sleep (mmap_lock, the fault): never call it under
 * `mmu_lock`.
 *
 * Kernel counterpart: KVM's `__gfn_to_pfn_memslot()` → `hva_to_pfn()` (`get_user_pages`
 * then, since ≈2.6.32, `kvm_release_pfn_clean()` right after the spte is made).
 */
export async function classicMirrorResolve(state: ClassicMirrorState, task: Task, address: number, write: boolean): Promise<ClassicMirrorResolved> {
  const { mm, machine } = state;
  await mm.mmapLock.downRead(task);
  try {
    const vma = mm.vmas.lookup(address);
    if (vma === undefined || (vma.flags & VM.read) === 0) {
      throw SmmuError.answer('EFAULT', `${state.device.name}: ${write ? 'write' : 'read'} fault at 0x${address.toString(16)}: ${vma === undefined ? 'nothing mapped there' : 'the mapping is not readable'}`);
    }
    if (write && (vma.flags & VM.write) === 0) {
      throw new SmmuError('EPERM', `${state.device.name}: write fault at 0x${address.toString(16)}: the mapping is not writable`);
    }
    const [pfn] = await getUserPages(machine.mem, task, mm, address, 1, { write });
    if (pfn === undefined) throw new SmmuError('EFAULT', `${state.device.name}: get_user_pages returned nothing at 0x${address.toString(16)}`);
    // Writable only for a write fault: a read fault maps read-only, so the first device
    // write faults again with FOLL_WRITE (which breaks COW and dirties the page).
    const pte = walkPageTable(mm, address);
    const writable = write && pte !== null && pte.pfn === pfn && pte.write;
    putPage(machine.mem, task, pfn);
    return { pfn, writable };
  } finally {
    await mm.mmapLock.upRead(task);
  }
}
