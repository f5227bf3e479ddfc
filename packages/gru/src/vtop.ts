import { getUserPages, putPage, SmmuError, VM, walkPageTable, type Task } from '@secondary-mmu/core-mm';
import type { GruDropinHost } from './host.js';

/**
 * The interrupt path's translation: the CPU PTE of `page`, read with no lock, no
 * reference and no fault. The frame, or null when the dropin cannot proceed here —
 * nothing present, or a write to an entry that is not both writable and dirty (a write
 * entry in the TLB must find the page dirty already, so the fault must go through the
 * kernel first). Never sleeps. Kernel counterpart: `atomic_pte_lookup()`.
 */
export function gruAtomicLookup(host: GruDropinHost, page: number, write: boolean): number | null {
  const pte = walkPageTable(host.mm, page);
  if (pte === null || (write && !(pte.write && pte.dirty))) return null;
  return pte.pfn;
}

/**
 * The user path's translation: under `mmap_lock` for reading, check the vma (EFAULT:
 * nothing readable there; EPERM: a write to a mapping without write permission),
 * `get_user_pages` the page (faulting it in: zero fill, COW, dirtying it for a write),
 * and put the reference at once — the TLB holds none; the answer is good only until the
 * next flush, which the hardware's dropin rule detects. May sleep. Kernel counterpart:
 * `non_atomic_pte_lookup()` (`get_user_pages()` then `put_page()`), called by
 * `gru_vtop()` in process context.
 */
export async function gruNonAtomicLookup(host: GruDropinHost, task: Task, page: number, write: boolean): Promise<number> {
  const { mm } = host;
  const where = `${host.device.name}: ${write ? 'write' : 'read'} dropin at 0x${page.toString(16)} (mm ${mm.id})`;
  if (mm.dead) throw new SmmuError('EFAULT', `${where}: the mm has exited`);
  await mm.mmapLock.downRead(task);
  try {
    const vma = mm.vmas.lookup(page);
    if (vma === undefined || (vma.flags & VM.read) === 0) throw new SmmuError('EFAULT', `${where}: ${vma === undefined ? 'nothing mapped there' : 'the mapping is not readable'}`);
    if (write && (vma.flags & VM.write) === 0) throw new SmmuError('EPERM', `${where}: the mapping is not writable`);
    const mem = host.device.machine.mem;
    const [pfn] = await getUserPages(mem, task, mm, page, 1, { write });
    if (pfn === undefined) throw new SmmuError('EFAULT', `${where}: get_user_pages returned nothing`);
    putPage(mem, task, pfn);
    return pfn;
  } finally {
    await mm.mmapLock.upRead(task);
  }
}
