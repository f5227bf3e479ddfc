import type { LockClass, Lockable } from '../check/lock-class.js';
import { localIrqRestore, localIrqSave } from '../irq.js';
import type { LockContext } from './lock-context.js';
import { HELD_TRYLOCK, type Task, type Waitable } from '../sched/task.js';

/**
 * `spinlock_t`. Taking it raises the task's preempt count (atomic context: no
 * sleeping until unlock). Contention is a spin-yield: the task waits for the holder
 * without sleeping, which is legal in atomic context, and the lock is handed over in
 * arrival order as a ticket lock does. Kernel counterpart: `spin_lock()`,
 * `spin_lock_nested()`, `spin_lock_irqsave()`, `spin_trylock()`, `spin_unlock()`.
 *
 * Preemption points: `spin` before acquiring and after releasing; `held` right after
 * acquiring and right before releasing (not after a `trylock`, which answers
 * synchronously). Difference: the kernel never preempts a spinlock holder — a `held`
 * switch stands for the other CPUs running while this one is inside its critical
 * section, so it is no sleep and changes no context check.
 */
export class SpinLock implements Lockable, Waitable {
  readonly name: string;
  readonly lockClass: LockClass;
  private readonly kernel: LockContext;
  /** The machine's runs switch at `held` points (fixed when its scheduler is made): else the fast path skips them. */
  private readonly heldPoints: boolean;
  private owner: Task | null = null;
  private readonly spinners: Task[] = [];

  /** @param name - the lockdep class: every lock of one name shares it. */
  constructor(kernel: LockContext, name: string) {
    this.kernel = kernel;
    this.name = name;
    this.lockClass = kernel.lockdep.classFor(name, 'spinlock');
    this.heldPoints = kernel.sched.preempts('held');
  }

  /** `spin_lock()`: returns a Promise only if the task had to spin or was preempted. */
  lock(task: Task, site?: string): void | Promise<void> {
    const p = this.kernel.sched.preempt(task, 'spin');
    if (p === undefined) return this.heldPoints ? this.acquireHeld(task, 0, site) : this.acquire(task, 0, site);
    return this.acquireAfter(p, task, 0, site);
  }

  /** `spin_lock_nested()`: a second lock of this class, at nesting level `subclass`. */
  lockNested(task: Task, subclass: number, site?: string): void | Promise<void> {
    const p = this.kernel.sched.preempt(task, 'spin');
    if (p === undefined) return this.heldPoints ? this.acquireHeld(task, subclass, site) : this.acquire(task, subclass, site);
    return this.acquireAfter(p, task, subclass, site);
  }

  /**
   * `spin_lock_irqsave()`: interrupts off, then the lock — the form for a lock an
   * interrupt handler also takes. Undo with {@link SpinLock.unlockIrqrestore}.
   */
  lockIrqsave(task: Task, site?: string): void | Promise<void> {
    localIrqSave(task);
    return this.lock(task, site);
  }

  /** `spin_unlock_irqrestore()`: the lock, then interrupts back as they were. */
  unlockIrqrestore(task: Task): void | Promise<void> {
    if (this.heldPoints && this.owner === task) {
      const p = this.kernel.sched.preempt(task, 'held');
      if (p !== undefined) return this.releaseIrqrestoreAfter(p, task);
    }
    return this.releaseIrqrestore(task);
  }

  /** `spin_trylock()`: never waits. */
  trylock(task: Task): boolean {
    if (this.owner !== null) return false;
    this.kernel.lockdep.acquire(task, this, HELD_TRYLOCK);
    task.preemptCount++;
    this.owner = task;
    return true;
  }

  /** `spin_unlock()`: hands the lock to the first spinner. */
  unlock(task: Task): void | Promise<void> {
    if (this.heldPoints && this.owner === task) {
      const p = this.kernel.sched.preempt(task, 'held');
      if (p !== undefined) return this.releaseAfter(p, task);
    }
    return this.release(task);
  }

  private releaseIrqrestore(task: Task): void | Promise<void> {
    const p = this.release(task);
    localIrqRestore(task);
    return p;
  }

  /** Release (lockdep first: a bad unlock leaves the lock alone), then the `spin` point. */
  private release(task: Task): void | Promise<void> {
    if (!this.kernel.lockdep.release(task, this)) return;
    task.preemptCount--;
    const next = this.spinners.shift();
    this.owner = next ?? null;
    if (next !== undefined) this.kernel.sched.wake(next);
    return this.kernel.sched.preempt(task, 'spin');
  }

  /** `spin_is_locked()`. */
  get locked(): boolean {
    return this.owner !== null;
  }

  /** The holder, if any. */
  get holder(): Task | null {
    return this.owner;
  }

  holders(): readonly Task[] {
    return this.owner === null ? [] : [this.owner];
  }

  describe(): string {
    return `spinlock ${this.name}`;
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

  private releaseIrqrestoreAfter(p: Promise<void>, task: Task): Promise<void> {
    return p.then(() => this.releaseIrqrestore(task));
  }

  private acquire(task: Task, subclass: number, site: string | undefined): void | Promise<void> {
    if (this.owner !== null && !this.kernel.sched.canBlock(task)) {
      this.kernel.lockdep.check(task, this, 0, subclass, -1, site);
      throw this.kernel.sched.wouldBlock(task, this);
    }
    this.kernel.lockdep.acquire(task, this, 0, subclass, -1, site);
    task.preemptCount++;
    if (this.owner === null) {
      this.owner = task;
      return;
    }
    this.spinners.push(task);
    return this.kernel.sched.block(task, this);
  }
}
