import { getUserPages, putPage, SmmuError, VM, walkPageTable, type Task } from '@secondary-mmu/core-mm';
import type { KvmVm } from './vm.js';

/** What {@link resolvePfn} found: the frame backing the page (a reference to it held) and whether the guest may write it. Kernel counterpart: `hva_to_pfn()`'s pfn and its `*writable`. */
export interface ResolvedPfn {
  readonly pfn: number;
  readonly writable: boolean;
}

/**
 * Resolve the frame behind host address `hva` (page aligned) as the primary MMU maps it,
 * faulting it in (for writing when `write`), and return it with a page reference held:
 * with `mmap_lock` held
 * for reading, EFAULT when nothing readable is mapped, EPERM for a write to a mapping
 * without write permission, then `get_user_pages` of one page. Writable only for a
 * write fault that found a writable PTE: a read fault maps read-only, so the guest's
 * first write faults again with `FOLL_WRITE` (which breaks COW and dirties the page).
 * May sleep: never call it under `mmu_lock`. The caller puts the reference (or keeps it
 * in the spte).
 *
 * The reference is core-mm's `getUserPages`, not `DeviceMmu.getUserPages`: a fault in
 * flight holds it across a `release`, which the oracle's leak rule would count against
 * the VM although the fault puts it as soon as it finds the VM closed (as the kernel's
 * vCPU does). What the sptes keep is still checked: each is a device translation.
 *
 * Kernel counterpart: `__gfn_to_pfn_memslot()` → `hva_to_pfn()` (`get_user_pages_fast`,
 * then the slow path with `mmap_lock`) with its `writable` answer. Difference: 2.6.27's
 * `gfn_to_pfn()` always asked for a writable page, breaking COW on guest reads.
 */
export async function resolvePfn(vm: KvmVm, task: Task, hva: number, write: boolean): Promise<ResolvedPfn> {
  const { mm, device, machine } = vm;
  const where = `${device.name}: ${write ? 'write' : 'read'} fault at 0x${hva.toString(16)}`;
  await mm.mmapLock.downRead(task);
  try {
    const vma = mm.vmas.lookup(hva);
    if (vma === undefined || (vma.flags & VM.read) === 0) throw new SmmuError('EFAULT', `${where}: ${vma === undefined ? 'nothing mapped there' : 'the mapping is not readable'}`);
    if (write && (vma.flags & VM.write) === 0) throw new SmmuError('EPERM', `${where}: the mapping is not writable`);
    const [pfn] = await getUserPages(machine.mem, task, mm, hva, 1, { write });
    if (pfn === undefined) throw new SmmuError('EFAULT', `${where}: get_user_pages returned nothing`);
    const pte = walkPageTable(mm, hva);
    return { pfn, writable: write && pte !== null && pte.pfn === pfn && pte.write };
  } finally {
    await mm.mmapLock.upRead(task);
  }
}

/**
 * Put the reference {@link resolvePfn} took on `pfn` (nothing for the zero page, which
 * `get_user_pages` does not count). Kernel counterpart: `kvm_release_pfn_clean()`.
 */
export function releasePfn(vm: KvmVm, task: Task, pfn: number): void {
  putPage(vm.machine.mem, task, pfn);
}

/** The frame an spte of `pfn` holds a reference to in `vm`'s mode, or null (`refs: 'none'`, or the zero page). Kernel counterpart: none. */
export function heldRef(vm: KvmVm, pfn: number): number | null {
  return vm.refs === 'per-spte' && pfn !== vm.machine.mem.allocator.zeroPfn ? pfn : null;
}
