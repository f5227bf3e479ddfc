import { localIrqRestore, localIrqSave } from '../irq.js';
import type { LockContext } from './lock-context.js';
import type { Task } from '../sched/task.js';
import { OwnedLock } from './owned-lock.js';

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
export class SpinLock extends OwnedLock {
  /** @param name - the lockdep class: every lock of one name shares it. */
  constructor(kernel: LockContext, name: string) {
    super(kernel, name, 'spinlock', 'spin');
  }

  /** `spin_lock()`: returns a Promise only if the task had to spin or was preempted. */
  lock(task: Task, site?: string): void | Promise<void> {
    return this.lockAt(task, 0, site);
  }

  /** `spin_lock_nested()`: a second lock of this class, at nesting level `subclass`. */
  lockNested(task: Task, subclass: number, site?: string): void | Promise<void> {
    return this.lockAt(task, subclass, site);
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
    const p = this.heldBeforeRelease(task);
    return p === undefined ? this.releaseIrqrestore(task) : this.releaseIrqrestoreAfter(p, task);
  }

  /** The holder, if any. */
  get holder(): Task | null {
    return this.owner;
  }

  describe(): string {
    return `spinlock ${this.name}`;
  }

  /** Holding or spinning for a spinlock is atomic context. */
  protected enter(task: Task): void {
    task.preemptCount++;
  }

  protected leave(task: Task): void {
    task.preemptCount--;
  }

  /** Release, then interrupts back on — before the `spin` point, as `spin_unlock_irqrestore` returns. */
  private releaseIrqrestore(task: Task): void | Promise<void> {
    const p = this.release(task);
    localIrqRestore(task);
    return p;
  }

  private releaseIrqrestoreAfter(p: Promise<void>, task: Task): Promise<void> {
    return p.then(() => this.releaseIrqrestore(task));
  }
}
