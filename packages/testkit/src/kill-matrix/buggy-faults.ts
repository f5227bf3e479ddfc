import { SmmuError, type Task } from '@secondary-mmu/core-mm';
import type { DeviceTranslation } from '@secondary-mmu/mmu-notifier';
import { classicMirrorResolve } from '../classic-mirror/resolve.js';
import type { ClassicMirrorState } from '../classic-mirror/state.js';

/** A classic-mirror device fault: what `classicMirrorFault` is, for a variant to replace. */
export type ClassicFault = (state: ClassicMirrorState, task: Task, address: number, write: boolean) => Promise<DeviceTranslation>;

/**
 * BUG (kill matrix): `classicMirrorFault` without the sequence / in-progress check —
 * resolve, take `mmu_lock`, install whatever was resolved, even if an invalidation ran
 * (or is running) meanwhile. Kernel counterpart: a KVM fault path without
 * `mmu_invalidate_retry()`.
 */
export async function faultWithoutRetry(state: ClassicMirrorState, task: Task, address: number, write: boolean): Promise<DeviceTranslation> {
  state.stats.faults++;
  if (state.closed) throw closed(state, address);
  const { pfn, writable } = await classicMirrorResolve(state, task, address, write);
  await state.mmuLock.lock(task);
  try {
    if (state.closed) throw closed(state, address);
    state.stats.established++;
    return state.table.install(task, address, pfn, writable);
  } finally {
    await state.mmuLock.unlock(task);
  }
}

/**
 * BUG (kill matrix): `classicMirrorFault` checking only the sequence, not
 * `inProgress` — a fault that read the sequence after an invalidation's start installs
 * between that start and its end (the sequence moves only at the end). Kernel
 * counterpart: `mmu_invalidate_retry()` without its `mmu_invalidate_in_progress` test.
 */
export async function faultIgnoringInProgress(state: ClassicMirrorState, task: Task, address: number, write: boolean): Promise<DeviceTranslation> {
  state.stats.faults++;
  for (;;) {
    if (state.closed) throw closed(state, address);
    const seq = state.invalidateSeq;
    const { pfn, writable } = await classicMirrorResolve(state, task, address, write);
    await state.mmuLock.lock(task);
    try {
      if (state.closed) throw closed(state, address);
      if (state.invalidateSeq === seq) {
        state.stats.established++;
        return state.table.install(task, address, pfn, writable);
      }
      state.stats.retries++;
    } finally {
      await state.mmuLock.unlock(task);
    }
  }
}

function closed(state: ClassicMirrorState, address: number): SmmuError {
  return new SmmuError('EFAULT', `${state.device.name}: fault at 0x${address.toString(16)}: the mirror was released`);
}
