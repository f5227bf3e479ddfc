import type { LockClass, Lockable } from '../check/lock-class.js';
import { mightSleep } from '../check/might-sleep.js';
import type { LockContext } from './lock-context.js';
import { HELD_TRYLOCK, type Task, type Waitable } from '../sched/task.js';

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
export class Mutex implements Lockable, Waitable {
  readonly name: string;
  readonly lockClass: LockClass;
  private readonly kernel: LockContext;
  /** The machine's runs switch at `held` points (fixed when its scheduler is made): else the fast path skips them. */
  private readonly heldPoints: boolean;
  private owner: Task | null = null;
  private readonly waiters: Task[] = [];

  constructor(kernel: LockContext, name: string) {
    this.kernel = kernel;
    this.name = name;
    this.lockClass = kernel.lockdep.classFor(name, 'mutex');
    this.heldPoints = kernel.sched.preempts('held');
  }

  /** `mutex_lock()`. */
  lock(task: Task, site?: string): void | Promise<void> {
    return this.lockNested(task, 0, site);
  }

  /** `mutex_lock_nested()`. */
  lockNested(task: Task, subclass: number, site?: string): void | Promise<void> {
    mightSleep(task, 'mutex_lock', this.name, site);
    const p = this.kernel.sched.preempt(task, 'lock');
    if (p === undefined) return this.heldPoints ? this.acquireHeld(task, subclass, site) : this.acquire(task, subclass, site);
    return this.acquireAfter(p, task, subclass, site);
  }

  /** `mutex_trylock()`: never sleeps, so no might-sleep check. */
  trylock(task: Task): boolean {
    if (this.owner !== null) return false;
    this.kernel.lockdep.acquire(task, this, HELD_TRYLOCK);
    this.owner = task;
    return true;
  }

  /** `mutex_unlock()`: hands the mutex to the first waiter. */
  unlock(task: Task): void | Promise<void> {
    if (this.heldPoints && this.owner === task) {
      const p = this.kernel.sched.preempt(task, 'held');
      if (p !== undefined) return this.releaseAfter(p, task);
    }
    return this.release(task);
  }

  /** Release (lockdep first: a bad unlock leaves the mutex alone), then the `lock` point. */
  private release(task: Task): void | Promise<void> {
    if (!this.kernel.lockdep.release(task, this)) return;
    const next = this.waiters.shift();
    this.owner = next ?? null;
    if (next !== undefined) this.kernel.sched.wake(next);
    return this.kernel.sched.preempt(task, 'lock');
  }

  /** `mutex_is_locked()`. */
  get locked(): boolean {
    return this.owner !== null;
  }

  holders(): readonly Task[] {
    return this.owner === null ? [] : [this.owner];
  }

  describe(): string {
    return `mutex ${this.name}`;
  }

  /** Acquire, then — when the class is enabled — the `held` point. */
  private acquireHeld(task: Task, subclass: number, site: string | undefined): void | Promise<void> {
    const acquired = this.acquire(task, subclass, site);
    if (!this.heldPoints) return acquired;
    if (acquired === undefined) return this.kernel.sched.preempt(task, 'held');
    return this.heldAfter(acquired, task);
  }

  // The continuations live in their own methods: a closure in the fast-path method
  // would make V8 allocate a context on every call, taken or not.
  private acquireAfter(p: Promise<void>, task: Task, subclass: number, site: string | undefined): Promise<void> {
    return p.then(() => this.acquireHeld(task, subclass, site));
  }

  private heldAfter(acquired: Promise<void>, task: Task): Promise<void> {
    return acquired.then(() => this.kernel.sched.preempt(task, 'held'));
  }

  private releaseAfter(p: Promise<void>, task: Task): Promise<void> {
    return p.then(() => this.release(task));
  }

  private acquire(task: Task, subclass: number, site: string | undefined): void | Promise<void> {
    if (this.owner !== null && !this.kernel.sched.canBlock(task)) {
      this.kernel.lockdep.check(task, this, 0, subclass, -1, site);
      throw this.kernel.sched.wouldBlock(task, this);
    }
    this.kernel.lockdep.acquire(task, this, 0, subclass, -1, site);
    if (this.owner === null) {
      this.owner = task;
      return;
    }
    this.waiters.push(task);
    return this.kernel.sched.block(task, this);
  }
}
