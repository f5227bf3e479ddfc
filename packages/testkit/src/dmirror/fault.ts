import { PAGE_SIZE, SmmuError, type Task } from '@secondary-mmu/core-mm';
import { dmirrorRangeFault } from './range-fault.js';
import type { DmirrorState } from './state.js';

/** Pages per `hmm_range_fault` call: the size of `dmirror_fault`'s on-stack `pfns[32]`. */
export const DMIRROR_FAULT_CHUNK = 32;

/**
 * A device fault over `[start, end)` (page aligned): {@link dmirrorRangeFault} chunk by
 * chunk of {@link DMIRROR_FAULT_CHUNK} pages, stopping at the first error. EFAULT when
 * the mirrored mm has exited (the kernel's `mmget_not_zero` fails: there is nothing
 * left to mirror), EINVAL after the device was closed.
 *
 * Kernel counterpart: `dmirror_fault()`.
 */
export async function dmirrorFault(dmirror: DmirrorState, task: Task, start: number, end: number, write: boolean): Promise<void> {
  if (dmirror.closed) throw new SmmuError('EINVAL', `${dmirror.name}: the device was closed`);
  if (dmirror.mm.dead) throw SmmuError.answer('EFAULT', `${dmirror.name}: mm ${dmirror.mm.id} has exited`);
  for (let addr = start; addr < end; addr = Math.min(addr + DMIRROR_FAULT_CHUNK * PAGE_SIZE, end)) {
    await dmirrorRangeFault(dmirror, task, addr, Math.min(addr + DMIRROR_FAULT_CHUNK * PAGE_SIZE, end), write);
  }
}
