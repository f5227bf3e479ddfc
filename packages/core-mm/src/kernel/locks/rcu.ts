import type { LockClass, Lockable } from '../check/lock-class.js';
import { mightSleep } from '../check/might-sleep.js';
import type { LockContext } from './lock-context.js';
import { HELD_READ, type Task } from '../sched/task.js';
import { GracePeriod } from './grace-period.js';

/**
 * The RCU-like read side: `rcu_read_lock()` makes the task atomic (no sleeping until
 * the matching unlock; nesting allowed) and `synchronize_rcu()` waits for every
 * reader that started before it. One per machine (`machine.rcu`). In the
 * `v2.6.27` era the notifier list is walked under it, which is why no callback may
 * sleep there. Difference from the kernel: a grace period is tracked per read-side
 * section, not per CPU quiescent state.
 */
export class Rcu implements Lockable {
  readonly name = 'rcu_read_lock';
  readonly lockClass: LockClass;
  private readonly kernel: LockContext;
  private readonly gp: GracePeriod;
  private readonly tickets = new Map<Task, number>();

  constructor(kernel: LockContext) {
    this.kernel = kernel;
    this.lockClass = kernel.lockdep.classFor(this.name, 'rcu');
    this.gp = new GracePeriod(kernel, 'rcu');
  }

  /** `rcu_read_lock()`. Never sleeps. */
  readLock(task: Task): void {
    if (task.rcuDepth++ === 0) this.tickets.set(task, this.gp.enter(task));
    this.kernel.lockdep.acquire(task, this, HELD_READ);
  }

  /** `rcu_read_unlock()`. */
  readUnlock(task: Task): void {
    if (!this.kernel.lockdep.release(task, this)) return; // reports the bad unlock
    if (--task.rcuDepth === 0) {
      this.gp.exit(this.tickets.get(task)!);
      this.tickets.delete(task);
    }
  }

  /** `synchronize_rcu()`: a sleeping primitive. */
  synchronize(task: Task, site?: string): void | Promise<void> {
    mightSleep(task, 'synchronize_rcu', '', site);
    return this.gp.wait(task);
  }

  /** Open read-side sections (tasks inside `rcu_read_lock()`). */
  get readers(): number {
    return this.gp.readers;
  }
}
