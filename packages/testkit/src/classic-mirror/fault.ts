import { SmmuError, type Task } from '@secondary-mmu/core-mm';
import type { DeviceTranslation } from '@secondary-mmu/mmu-notifier';
import { classicMirrorResolve } from './resolve.js';
import type { ClassicMirrorState } from './state.js';

/** Virtual time a fault that found an invalidation in progress waits before trying again (ns). */
export const CLASSIC_MIRROR_RETRY_BACKOFF_NS = 100;

/** Attempts after which a fault gives up with EAGAIN (an invalidation storm; the model's livelock guard). */
export const CLASSIC_MIRROR_MAX_FAULT_ATTEMPTS = 1000;

/**
 * A classic-mirror device fault path: what `ClassicMirrorInstance` calls for a
 * missing (or, for a write, read-only) translation. Kernel counterpart: KVM's
 * `kvm_mmu_page_fault()` path, as a function of the VM.
 */
export type ClassicMirrorFaultPath = (state: ClassicMirrorState, task: Task, address: number, write: boolean) => Promise<DeviceTranslation>;

/**
 * Whether a fault that read `seq` before resolving must not install (called under
 * `mmu_lock`): an invalidation is between its start and its end, or one completed since.
 * Kernel counterpart: `mmu_invalidate_retry()` (its `mmu_invalidate_in_progress` test, then
 * the `mmu_invalidate_seq` compare).
 */
export function classicMirrorRetryNeeded(state: ClassicMirrorState, seq: number): boolean {
  return state.inProgress > 0 || state.invalidateSeq !== seq;
}

/**
 * A device fault for the page at `address` (page aligned), with Arcangeli's
 * sequence / in-progress retry:
 *
 * ```
 * loop {
 *   seq = invalidateSeq                       // read before resolving
 *   pfn = get_user_pages(); put_page(pfn)     // mmap_lock read; may sleep; no mmu_lock
 *   spin_lock(mmu_lock)
 *   if (inProgress > 0 || invalidateSeq != seq) { spin_unlock; back off; retry }
 *   establish(address -> pfn); spin_unlock; done
 * }
 * ```
 *
 * An invalidation that ran between the resolve and the lock found nothing to zap; the
 * counters make the fault see it and start over instead of installing a stale
 * translation. `retryNeeded` is that check ({@link classicMirrorRetryNeeded}); the
 * testkit's kill matrix passes a broken one to prove the checkers catch the race. Errors of the resolve (EFAULT, EPERM) pass through; a closed mirror
 * (`release` ran, or detached) is EFAULT.
 *
 * Kernel counterpart: `kvm_tdp_page_fault()` / `direct_page_fault()` — `mmu_seq =
 * kvm->mmu_invalidate_seq; smp_rmb();`, `kvm_faultin_pfn()`, then under `mmu_lock`
 * `is_page_fault_stale()` / `mmu_invalidate_retry()` before `kvm_tdp_mmu_map()`.
 */
export async function classicMirrorFault(
  state: ClassicMirrorState,
  task: Task,
  address: number,
  write: boolean,
  retryNeeded: (state: ClassicMirrorState, seq: number) => boolean = classicMirrorRetryNeeded,
): Promise<DeviceTranslation> {
  state.stats.faults++;
  for (let attempt = 0; attempt < CLASSIC_MIRROR_MAX_FAULT_ATTEMPTS; attempt++) {
    if (state.closed) throw closedError(state, address);
    const seq = state.invalidateSeq;
    const { pfn, writable } = await classicMirrorResolve(state, task, address, write);
    await state.mmuLock.lock(task);
    let h: DeviceTranslation | undefined;
    let busy = false;
    try {
      if (state.closed) throw closedError(state, address);
      if (retryNeeded(state, seq)) {
        state.stats.retries++;
        busy = state.inProgress > 0;
      } else {
        h = state.table.install(task, address, pfn, writable);
        state.stats.established++;
      }
    } finally {
      await state.mmuLock.unlock(task);
    }
    if (h !== undefined) return h;
    // An invalidation is still in progress: let it reach its end (the vCPU re-enters the guest and faults again).
    if (busy) await state.machine.sched.sleep(task, CLASSIC_MIRROR_RETRY_BACKOFF_NS);
  }
  throw new SmmuError('EAGAIN', `${state.device.name}: fault at 0x${address.toString(16)} raced invalidations ${CLASSIC_MIRROR_MAX_FAULT_ATTEMPTS} times`);
}

function closedError(state: ClassicMirrorState, address: number): SmmuError {
  return SmmuError.answer('EFAULT', `${state.device.name}: fault at 0x${address.toString(16)}: the mirror was released`);
}
