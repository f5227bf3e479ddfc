import type { LockClass, Lockable } from '../check/lock-class.js';
import { mightSleep } from '../check/might-sleep.js';
import type { LockContext } from './lock-context.js';
import { HELD_READ, HELD_TRYLOCK, type Task, type Waitable } from '../sched/task.js';

interface RwWaiter {
  readonly task: Task;
  readonly write: boolean;
}

/**
 * `struct rw_semaphore`: many readers or one writer, sleeping. Fair like the
 * kernel's: a reader queues behind a waiting writer, so a task that takes the read
 * side twice can deadlock against a writer (and lockdep reports the recursion).
 * `downgrade` turns the write hold into a read hold and lets queued readers in, as
 * munmap does with mmap_lock. Kernel counterpart: `down_read()`, `down_write()`,
 * `up_read()`, `up_write()`, `downgrade_write()`, `down_read_trylock()`,
 * `down_write_trylock()`; difference: no optimistic spinning or lock stealing.
 */
export class RwSemaphore implements Lockable, Waitable {
  readonly name: string;
  readonly lockClass: LockClass;
  private readonly kernel: LockContext;
  private writer: Task | null = null;
  private readonly readers: Task[] = [];
  private readonly waiters: RwWaiter[] = [];

  constructor(kernel: LockContext, name: string) {
    this.kernel = kernel;
    this.name = name;
    this.lockClass = kernel.lockdep.classFor(name, 'rwsem');
  }

  /** `down_read()`. */
  downRead(task: Task, site?: string): void | Promise<void> {
    mightSleep(task, 'down_read', this.name, site);
    const p = this.kernel.sched.preempt(task, 'lock');
    if (p === undefined) return this.acquire(task, false, site);
    return p.then(() => this.acquire(task, false, site));
  }

  /** `down_write()`. */
  downWrite(task: Task, site?: string): void | Promise<void> {
    return this.downWriteNested(task, 0, site);
  }

  /** `down_write_nested()`: a second rwsem of this class, at nesting level `subclass` (fork's child mmap_lock). */
  downWriteNested(task: Task, subclass: number, site?: string): void | Promise<void> {
    mightSleep(task, 'down_write', this.name, site);
    const p = this.kernel.sched.preempt(task, 'lock');
    if (p === undefined) return this.acquire(task, true, site, subclass);
    return p.then(() => this.acquire(task, true, site, subclass));
  }

  /** `down_read_trylock()`: never sleeps. */
  tryDownRead(task: Task): boolean {
    if (this.writer !== null || this.waiters.length > 0) return false;
    this.kernel.lockdep.acquire(task, this, HELD_READ | HELD_TRYLOCK);
    this.readers.push(task);
    return true;
  }

  /** `down_write_trylock()`: never sleeps. */
  tryDownWrite(task: Task): boolean {
    if (this.writer !== null || this.readers.length > 0) return false;
    this.kernel.lockdep.acquire(task, this, HELD_TRYLOCK);
    this.writer = task;
    return true;
  }

  /** `up_read()`. */
  upRead(task: Task): void | Promise<void> {
    const i = this.readers.indexOf(task);
    if (i < 0) return this.kernel.lockdep.reportBadUnlock(task, this, -1, 'it is not a reader (up_read)');
    if (!this.kernel.lockdep.release(task, this)) return;
    this.readers.splice(i, 1);
    this.grant();
    return this.kernel.sched.preempt(task, 'lock');
  }

  /** `up_write()`. */
  upWrite(task: Task): void | Promise<void> {
    if (this.writer !== task) return this.kernel.lockdep.reportBadUnlock(task, this, -1, 'it is not the writer (up_write)');
    if (!this.kernel.lockdep.release(task, this)) return;
    this.writer = null;
    this.grant();
    return this.kernel.sched.preempt(task, 'lock');
  }

  /** `downgrade_write()`: the writer becomes a reader; queued readers at the head get in. */
  downgrade(task: Task): void {
    if (this.writer !== task) return this.kernel.lockdep.reportBadUnlock(task, this, -1, 'it is not the writer (downgrade_write)');
    if (!this.kernel.lockdep.downgrade(task, this)) return;
    this.writer = null;
    this.readers.push(task);
    this.grant();
  }

  /** Held by a writer. */
  get writeLocked(): boolean {
    return this.writer !== null;
  }

  /** Number of readers inside. */
  get readerCount(): number {
    return this.readers.length;
  }

  /**
   * Who a waiter waits for: the holders, and the writers queued ahead (a reader
   * behind a queued writer waits for that writer, the recursive-read deadlock).
   */
  holders(): readonly Task[] {
    const held = this.writer !== null ? [this.writer] : this.readers.slice();
    for (const w of this.waiters) if (w.write) held.push(w.task);
    return held;
  }

  describe(): string {
    return `rwsem ${this.name}`;
  }

  private acquire(task: Task, write: boolean, site: string | undefined, subclass = 0): void | Promise<void> {
    const free = this.waiters.length === 0 && this.writer === null && (!write || this.readers.length === 0);
    if (!free && !this.kernel.sched.canBlock(task)) {
      this.kernel.lockdep.check(task, this, write ? 0 : HELD_READ, subclass, -1, site);
      throw this.kernel.sched.wouldBlock(task, this);
    }
    this.kernel.lockdep.acquire(task, this, write ? 0 : HELD_READ, subclass, -1, site);
    if (free) {
      if (write) this.writer = task;
      else this.readers.push(task);
      return;
    }
    this.waiters.push({ task, write });
    return this.kernel.sched.block(task, this);
  }

  /**
   * Hand the semaphore to the waiters at the head: a writer when the lock is free; or,
   * when the first waiter is a reader, every queued reader — writers stay queued
   * (`rwsem_mark_wake()` since 5.3).
   */
  private grant(): void {
    const head = this.waiters[0];
    if (head === undefined || this.writer !== null) return;
    if (head.write) {
      if (this.readers.length > 0) return;
      this.waiters.shift();
      this.writer = head.task;
      this.kernel.sched.wake(head.task);
      return;
    }
    for (let i = 0; i < this.waiters.length; ) {
      const w = this.waiters[i]!;
      if (w.write) {
        i++;
        continue;
      }
      this.waiters.splice(i, 1);
      this.readers.push(w.task);
      this.kernel.sched.wake(w.task);
    }
  }
}
