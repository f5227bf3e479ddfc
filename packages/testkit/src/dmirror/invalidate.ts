import { andThen, type MmuNotifierRange, type Task } from '@secondary-mmu/core-mm';
import { mmuIntervalSetSeq, type MmuIntervalNotifier } from '@secondary-mmu/mmu-notifier';
import type { DmirrorState } from './state.js';

/**
 * dmirror's interval `invalidate`: take `dmirror->mutex` (only `trylock` when the range
 * is not blockable — the OOM reaper — answering false if a device access or fault holds
 * it, so the reaper skips the vma and retries later), publish `curSeq` with
 * `mmuIntervalSetSeq`, erase the mirror entries overlapping the range, unlock, answer
 * true. Every event drops the entries, PROTECTION ones included (no downgrade). A
 * MIGRATE range owned by this device is ignored, as the kernel does: device-private
 * migration handles it — not modelled (no device-private memory), so the branch only
 * keeps the kernel's shape.
 *
 * Kernel counterpart: `dmirror_interval_invalidate()` (and `dmirror_do_update()`).
 */
export function dmirrorIntervalInvalidate(dmirror: DmirrorState, task: Task, isub: MmuIntervalNotifier, range: MmuNotifierRange, curSeq: number): boolean | Promise<boolean> {
  if (range.event === 'migrate' && range.owner === dmirror) return true;
  const update = (): boolean | Promise<boolean> => {
    mmuIntervalSetSeq(isub, curSeq);
    dmirror.table.eraseRange(range.start, range.end);
    return andThen(dmirror.mutex.unlock(task), () => true);
  };
  if (range.blockable) return andThen(dmirror.mutex.lock(task), update);
  if (!dmirror.mutex.trylock(task)) {
    dmirror.contendedInvalidations++;
    return false;
  }
  return update();
}
