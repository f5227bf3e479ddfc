import type { Lockdep } from '../check/lockdep.js';
import type { Scheduler } from '../sched/scheduler.js';

/**
 * What a lock uses of its kernel: the scheduler to block, wake and preempt on, and
 * lockdep to check the order. A `Kernel` is one, and so is every `Machine`; locks take
 * no more so that they stand below the kernel object that creates the RCU and the
 * tasks. Kernel counterpart: none — in the kernel both are global.
 */
export interface LockContext {
  readonly sched: Scheduler;
  readonly lockdep: Lockdep;
}
