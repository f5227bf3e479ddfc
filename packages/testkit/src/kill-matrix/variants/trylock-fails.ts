import type { Machine, Mm, Task } from '@secondary-mmu/core-mm';
import { mmuIntervalSetSeq } from '@secondary-mmu/mmu-notifier';
import { DMIRROR_CAPABILITIES } from '../../dmirror/capabilities.js';
import { DmirrorInstance } from '../../dmirror/instance.js';
import { dmirror } from '../../dmirror/factory.js';
import type { DriverFactory } from '../../contract.js';
import type { KillMatrixVariant } from '../types.js';

/**
 * BUG (kill matrix): a dmirror whose non-blockable `invalidate` answers true (done)
 * when its `trylock` of `dmirror->mutex` fails, without erasing its mirror entries —
 * instead of answering false so that the OOM reaper skips the vma and retries, as
 * test_hmm's `dmirror_interval_invalidate` does. The reaper then frees pages the device
 * still translates. Everything else is the reference `DmirrorInstance`. Kernel
 * counterpart: `if (!mutex_trylock(&dmirror->mutex)) return true;`.
 */
const dmirrorTrylockFails: DriverFactory = {
  name: 'dmirror-trylock-fails',
  capabilities: DMIRROR_CAPABILITIES,
  eras: ['v6'],
  attach(task: Task, machine: Machine, mm: Mm) {
    return DmirrorInstance.open(task, machine, mm, {
      name: 'dmirror-trylock-fails',
      invalidate: async (dm, t, isub, range, curSeq) => {
        if (range.blockable) await dm.mutex.lock(t);
        else if (!dm.mutex.trylock(t)) return true; // BUG: must answer false
        mmuIntervalSetSeq(isub, curSeq);
        dm.table.eraseRange(range.start, range.end);
        await dm.mutex.unlock(t);
        return true;
      },
    });
  },
};

/**
 * (12) The trylock in a non-blockable invalidation fails, and the driver answers
 * success anyway. Found only where a device access is switched out while it holds the
 * driver lock (the `held` preemption class): never under fifo.
 */
export const TRYLOCK_FAILS: KillMatrixVariant = {
  name: 'trylock-fails',
  bug: "dmirror's non-blockable invalidate answers true when mutex_trylock fails, leaving its mirror entries to pages the OOM reaper then frees",
  race: true,
  driver: dmirrorTrylockFails,
  reference: dmirror,
  scenario: 'reap-vs-held-driver-lock',
  era: 'v6',
  expectedKinds: ['access-in-invalidation', 'use-after-free', 'stale-read'],
  schedules: 20,
};
