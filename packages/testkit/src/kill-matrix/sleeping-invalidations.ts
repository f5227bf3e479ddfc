import { andThen } from '@secondary-mmu/core-mm';
import type { ClassicChange } from './classic-variant.js';

/** Virtual ns the sleeping invalidations wait (for a device acknowledgement). */
export const SLEEP_NS = 100;

/**
 * The invalidation callbacks (`invalidate_range_start`, `invalidate_page`) first sleep,
 * waiting for a device acknowledgement, whatever the context: the one fault of
 * `sleeps-in-atomic` and `sleeps-when-non-blockable`. Kernel counterpart: a driver that
 * waits for its device in the notifier without `mmu_notifier_range_blockable()`.
 */
export const sleepInInvalidations: ClassicChange = {
  ops(ops, _state, machine) {
    const start = ops.invalidateRangeStart!;
    ops.invalidateRangeStart = (task, sub, range) => andThen(machine.sched.sleep(task, SLEEP_NS), () => start(task, sub, range));
    const page = ops.invalidatePage;
    if (page !== undefined) ops.invalidatePage = (task, sub, mm, address) => andThen(machine.sched.sleep(task, SLEEP_NS), () => page(task, sub, mm, address));
  },
};
