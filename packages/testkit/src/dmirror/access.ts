import { PAGE_SIZE, SmmuError, TASK_SIZE, type Task } from '@secondary-mmu/core-mm';
import type { DeviceTranslation } from '@secondary-mmu/mmu-notifier';
import { dmirrorFault } from './fault.js';
import type { DmirrorState } from './state.js';

/**
 * One device access to the page holding `address`: loop { under `dmirror->mutex`, look
 * the page up in the mirror table — present (and writable, for a write): `access`
 * through it, still under the mutex, so no `invalidate` can erase the entry while the
 * device uses it; absent: unlock, fault the page in ({@link dmirrorFault}, counted in
 * `faults`) and look again }. Fault errors pass through: EFAULT where the primary
 * cannot map the address, EPERM for a write where only read is allowed.
 *
 * Kernel counterpart: the loops of `dmirror_read()` / `dmirror_write()` around
 * `dmirror_do_read()` / `dmirror_do_write()` (-ENOENT ⇒ `dmirror_fault`, `cmd->faults++`).
 */
export async function dmirrorAccess<T>(dmirror: DmirrorState, task: Task, address: number, write: boolean, access: (h: DeviceTranslation) => T | Promise<T>): Promise<T> {
  if (!Number.isSafeInteger(address) || address < 0 || address >= TASK_SIZE) {
    throw new SmmuError('EFAULT', `${dmirror.name}: ${String(address)} is not a user address`);
  }
  const page = address - (address % PAGE_SIZE);
  for (;;) {
    if (dmirror.closed) throw new SmmuError('EINVAL', `${dmirror.name}: the device was closed`);
    await dmirror.mutex.lock(task);
    const h = dmirror.table.load(page);
    if (h !== undefined && (!write || h.writable)) {
      try {
        return await access(h);
      } finally {
        await dmirror.mutex.unlock(task);
      }
    }
    await dmirror.mutex.unlock(task);
    await dmirrorFault(dmirror, task, page, page + PAGE_SIZE, write);
    dmirror.faults++;
  }
}

/** A device read of the word at `address`. Kernel counterpart: `dmirror_read()` (`HMM_DMIRROR_READ`) for one page. */
export function dmirrorRead(dmirror: DmirrorState, task: Task, address: number): Promise<number> {
  return dmirrorAccess(dmirror, task, address, false, (h) => dmirror.device.read(task, h));
}

/**
 * A device write of `value` (a 32-bit unsigned word, EINVAL otherwise, checked before
 * any fault) at `address`. Kernel counterpart: `dmirror_write()` (`HMM_DMIRROR_WRITE`)
 * for one page.
 */
export function dmirrorWrite(dmirror: DmirrorState, task: Task, address: number, value: number): Promise<void> {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    return Promise.reject(new SmmuError('EINVAL', `${dmirror.name}: write of ${String(value)}: not a 32-bit unsigned word`));
  }
  return dmirrorAccess(dmirror, task, address, true, (h) => dmirror.device.write(task, h, value));
}
