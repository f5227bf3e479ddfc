import { ensure, hmmRangeFault, isSmmuError, SmmuError, type HmmPfn, type Task } from '@secondary-mmu/core-mm';
import { mmuIntervalReadBegin, mmuIntervalReadRetry } from '@secondary-mmu/mmu-notifier';
import { dmirrorDoFault } from './do-fault.js';
import type { DmirrorState } from './state.js';

/** `HMM_RANGE_DEFAULT_TIMEOUT` (1000 ms), in virtual ns: a fault still retrying after it gives up with EBUSY. */
export const HMM_RANGE_DEFAULT_TIMEOUT_NS = 1_000_000_000;

/**
 * Mirror `[start, end)` (at most `DMIRROR_FAULT_CHUNK` pages): loop { `seq =
 * mmuIntervalReadBegin`; `hmmRangeFault` under the mmap read lock, without the driver
 * lock; take `dmirror->mutex`; if `mmuIntervalReadRetry(seq)` an invalidation ran
 * meanwhile — unlock and start over; else install the entries and unlock }. Errors of
 * `hmm_range_fault` pass through (EFAULT: nothing the primary can map; EPERM: a write
 * to a read-only mapping); its EBUSY retries; EBUSY after
 * {@link HMM_RANGE_DEFAULT_TIMEOUT_NS} of virtual time.
 *
 * Kernel counterpart: `dmirror_range_fault()`.
 */
export async function dmirrorRangeFault(dmirror: DmirrorState, task: Task, start: number, end: number, write: boolean): Promise<void> {
  const { machine, mm, notifier, mutex } = dmirror;
  const timeout = machine.clock.now + HMM_RANGE_DEFAULT_TIMEOUT_NS;
  for (;;) {
    if (machine.clock.now > timeout) throw new SmmuError('EBUSY', `${dmirror.name}: range fault of [${start.toString(16)}, ${end.toString(16)}) still retrying after ${HMM_RANGE_DEFAULT_TIMEOUT_NS} ns`);
    const seq = await mmuIntervalReadBegin(task, notifier);
    await mm.mmapLock.downRead(task);
    let pfns: HmmPfn[];
    try {
      pfns = await ensure(
        () => hmmRangeFault(machine.mem, task, mm, start, end, { write }),
        () => mm.mmapLock.upRead(task),
      );
    } catch (error) {
      if (isSmmuError(error, 'EBUSY')) continue;
      throw error;
    }
    await mutex.lock(task);
    if (mmuIntervalReadRetry(notifier, seq)) {
      dmirror.retries++;
      await mutex.unlock(task);
      continue;
    }
    try {
      const installed = (dmirror.doFault ?? dmirrorDoFault)(dmirror, task, start, pfns);
      if (installed !== undefined) await installed;
    } finally {
      await mutex.unlock(task);
    }
    return;
  }
}
