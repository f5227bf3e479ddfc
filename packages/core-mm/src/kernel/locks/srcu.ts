import type { LockClass, Lockable } from '../check/lock-class.js';
import { mightSleep } from '../check/might-sleep.js';
import type { LockContext } from './lock-context.js';
import { HELD_READ, type Task } from '../sched/task.js';
import { GracePeriod } from './grace-period.js';

/**
 * `struct srcu_struct`: sleepable RCU. Readers may sleep inside; `synchronize` waits
 * for every reader that started before it. The notifier core keeps subscriptions
 * alive with it (since 3.7). lockdep sees the read side as a recursive read of the
 * srcu class and `synchronize` as a write acquisition, so `synchronize` inside its
 * own read section, or under a lock some reader takes, is reported.
 * Kernel counterpart: `srcu_read_lock()` (returns an index; here a ticket),
 * `srcu_read_unlock()`, `synchronize_srcu()`.
 */
export class Srcu implements Lockable {
  readonly name: string;
  readonly lockClass: LockClass;
  private readonly kernel: LockContext;
  private readonly gp: GracePeriod;

  constructor(kernel: LockContext, name: string) {
    this.kernel = kernel;
    this.name = name;
    this.lockClass = kernel.lockdep.classFor(name, 'srcu');
    this.gp = new GracePeriod(kernel, name);
  }

  /** `srcu_read_lock()`: never sleeps; returns the ticket to pass to `readUnlock`. */
  readLock(task: Task): number {
    this.kernel.lockdep.acquire(task, this, HELD_READ);
    return this.gp.enter(task);
  }

  /** `srcu_read_unlock()`. */
  readUnlock(task: Task, ticket: number): void {
    if (!this.gp.isOpen(ticket)) return this.kernel.lockdep.reportBadUnlock(task, this, -1, `ticket ${ticket} is not an open read section`);
    if (!this.kernel.lockdep.release(task, this)) return;
    this.gp.exit(ticket);
  }

  /** `synchronize_srcu()`: a sleeping primitive. */
  synchronize(task: Task, site?: string): void | Promise<void> {
    mightSleep(task, 'synchronize_srcu', this.name, site);
    this.kernel.lockdep.acquire(task, this, 0, 0, -1, site);
    this.kernel.lockdep.release(task, this);
    return this.gp.wait(task);
  }

  /** Open read-side sections. */
  get readers(): number {
    return this.gp.readers;
  }
}
