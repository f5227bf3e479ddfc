import type { LockClass, Lockable } from '../check/lock-class.js';
import type { PreemptClass } from '../sched/preempt-class.js';
import { HELD_TRYLOCK, type Task, type Waitable } from '../sched/task.js';
import type { LockContext } from './lock-context.js';

/**
 * What a spinlock and a mutex share: one owner, lockdep on every acquire and release,
 * the lock handed to the first waiter in arrival order, a preemption point of the
 * lock's own class before acquiring and after releasing, and the `held` points right
 * after acquiring and right before releasing (not after a `trylock`, which answers
 * synchronously). What differs — a spinlock's atomic context, a mutex's might-sleep
 * check — is the subclass's `enter`/`leave` and its `lock`. Kernel counterpart: none
 * (`spinlock_t` and `struct mutex` share no code).
 */
export abstract class OwnedLock implements Lockable, Waitable {
  readonly name: string;
  readonly lockClass: LockClass;
  protected readonly kernel: LockContext;
  /** The preemption class before acquiring and after releasing: `spin` or `lock`. */
  private readonly pointClass: PreemptClass;
  /** The machine's runs switch at `held` points (fixed when its scheduler is made): else the fast path skips them. */
  private readonly heldPoints: boolean;
  protected owner: Task | null = null;
  private readonly waiters: Task[] = [];

  protected constructor(kernel: LockContext, name: string, type: 'spinlock' | 'mutex', pointClass: PreemptClass) {
    this.kernel = kernel;
    this.name = name;
    this.lockClass = kernel.lockdep.classFor(name, type);
    this.pointClass = pointClass;
    this.heldPoints = kernel.sched.preempts('held');
  }

  /** The task now holds the lock, or waits for it (a spinlock raises the preempt count). */
  protected abstract enter(task: Task): void;
  /** The task let the lock go (a spinlock lowers the preempt count). */
  protected abstract leave(task: Task): void;
  abstract describe(): string;

  /** Never waits: true if the task took the lock. */
  trylock(task: Task): boolean {
    if (this.owner !== null) return false;
    this.kernel.lockdep.acquire(task, this, HELD_TRYLOCK);
    this.enter(task);
    this.owner = task;
    return true;
  }

  /** Releases the lock, handing it to the first waiter. */
  unlock(task: Task): void | Promise<void> {
    const p = this.heldBeforeRelease(task);
    return p === undefined ? this.release(task) : this.releaseAfter(p, task);
  }

  /** Whether someone holds it. */
  get locked(): boolean {
    return this.owner !== null;
  }

  holders(): readonly Task[] {
    return this.owner === null ? [] : [this.owner];
  }

  /** The lock's preemption point, then acquire (at nesting level `subclass`), then the `held` point. */
  protected lockAt(task: Task, subclass: number, site: string | undefined): void | Promise<void> {
    const p = this.kernel.sched.preempt(task, this.pointClass);
    if (p === undefined) return this.heldPoints ? this.acquireHeld(task, subclass, site) : this.acquire(task, subclass, site);
    return this.acquireAfter(p, task, subclass, site);
  }

  /** The `held` point before the owner releases (a Promise if the task was switched out there). */
  protected heldBeforeRelease(task: Task): void | Promise<void> {
    return this.heldPoints && this.owner === task ? this.kernel.sched.preempt(task, 'held') : undefined;
  }

  /** Release (lockdep first: a bad unlock leaves the lock alone), then the lock's preemption point. */
  protected release(task: Task): void | Promise<void> {
    if (!this.kernel.lockdep.release(task, this)) return;
    this.leave(task);
    const next = this.waiters.shift();
    this.owner = next ?? null;
    if (next !== undefined) this.kernel.sched.wake(next);
    return this.kernel.sched.preempt(task, this.pointClass);
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

  /** Take the lock, or queue for it; a task that may not block (a direct task) finding it held throws. */
  private acquire(task: Task, subclass: number, site: string | undefined): void | Promise<void> {
    if (this.owner !== null && !this.kernel.sched.canBlock(task)) {
      this.kernel.lockdep.check(task, this, 0, subclass, -1, site);
      throw this.kernel.sched.wouldBlock(task, this);
    }
    this.kernel.lockdep.acquire(task, this, 0, subclass, -1, site);
    this.enter(task);
    if (this.owner === null) {
      this.owner = task;
      return;
    }
    this.waiters.push(task);
    return this.kernel.sched.block(task, this);
  }
}
