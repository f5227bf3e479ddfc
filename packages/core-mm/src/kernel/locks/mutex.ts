import { mightSleep } from '../check/might-sleep.js';
import type { LockContext } from './lock-context.js';
import type { Task } from '../sched/task.js';
import { OwnedLock } from './owned-lock.js';

/**
 * `struct mutex`: a sleeping lock with one owner. `lock` is a sleeping primitive, so
 * it checks might-sleep every time (not only when contended); waiters get the lock
 * in arrival order. Kernel counterpart: `mutex_lock()`, `mutex_lock_nested()`,
 * `mutex_trylock()`, `mutex_unlock()`; difference: no optimistic spinning.
 *
 * Preemption points: `lock` before acquiring and after releasing; `held` right after
 * acquiring and right before releasing (not after a `trylock`), where the kernel's
 * holder may be preempted or another CPU runs: another task then finds the mutex held.
 */
export class Mutex extends OwnedLock {
  constructor(kernel: LockContext, name: string) {
    super(kernel, name, 'mutex', 'lock');
  }

  /** `mutex_lock()`. */
  lock(task: Task, site?: string): void | Promise<void> {
    return this.lockNested(task, 0, site);
  }

  /** `mutex_lock_nested()`: a sleeping primitive, so might-sleep is checked every time. */
  lockNested(task: Task, subclass: number, site?: string): void | Promise<void> {
    mightSleep(task, 'mutex_lock', this.name, site);
    return this.lockAt(task, subclass, site);
  }

  describe(): string {
    return `mutex ${this.name}`;
  }

  /** No context change: a mutex holder may sleep. */
  protected enter(): void {}
  protected leave(): void {}
}
