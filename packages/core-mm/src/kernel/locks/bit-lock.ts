import type { LockClass, Lockable } from '../check/lock-class.js';
import { mightSleep } from '../check/might-sleep.js';
import { SmmuError } from '../errors.js';
import type { LockContext } from './lock-context.js';
import { HELD_TRYLOCK, type Task, type Waitable } from '../sched/task.js';

/**
 * A sleeping lock that is one bit in a typed array of flag words: the page lock
 * (`PG_locked` in `page->flags`), one per frame, costing no object per frame.
 * Kernel counterpart: `lock_page()` / `folio_lock()`, `trylock_page()`,
 * `unlock_page()`; waiters sleep on a per-index queue and get the bit in arrival
 * order. Difference: the kernel has no lockdep map for the page lock; the model
 * gives it one so reports can show it in the held-lock stack and the lock order,
 * with recursion reported only for the same page (holding two pages is legal).
 */
export class BitLock implements Lockable {
  readonly name: string;
  readonly lockClass: LockClass;
  private readonly kernel: LockContext;
  private readonly words: Uint32Array;
  private readonly mask: number;
  /** Holder per index; a plain array (no Map churn on the uncontended path). */
  private readonly owners: (Task | undefined)[] = [];
  private readonly waiters = new Map<number, Task[]>();

  /**
   * @param words - the flag words, one per instance (e.g. frame flags by pfn).
   * @param bit - the bit of each word that is the lock (0..31).
   */
  constructor(kernel: LockContext, name: string, words: Uint32Array, bit: number) {
    this.kernel = kernel;
    this.name = name;
    this.words = words;
    this.mask = (1 << bit) >>> 0;
    this.lockClass = kernel.lockdep.classFor(name, 'bit-lock');
  }

  /** `lock_page()`: a sleeping primitive. */
  lock(task: Task, index: number, site?: string): void | Promise<void> {
    this.check(index);
    mightSleep(task, 'lock_page', this.name, site, index);
    const p = this.kernel.sched.preempt(task, 'lock');
    if (p === undefined) return this.acquire(task, index, site);
    return p.then(() => this.acquire(task, index, site));
  }

  /** `trylock_page()`: never sleeps. */
  trylock(task: Task, index: number): boolean {
    this.check(index);
    if ((this.words[index]! & this.mask) !== 0) return false;
    this.kernel.lockdep.acquire(task, this, HELD_TRYLOCK, 0, index);
    this.words[index] = this.words[index]! | this.mask;
    this.owners[index] = task;
    return true;
  }

  /**
   * `unlock_page()`: hands the bit to the first waiter on this index. The page lock has
   * no owner in the kernel — I/O completion unlocks pages other tasks locked — so any
   * task may unlock a locked page (the holder's lockdep record goes with it); only
   * unlocking an unlocked page is a bad unlock.
   */
  unlock(task: Task, index: number): void | Promise<void> {
    this.check(index);
    const holder = this.owners[index];
    if (holder === undefined) return this.kernel.lockdep.reportBadUnlock(task, this, index, 'the page is not locked');
    this.kernel.lockdep.release(holder, this, index);
    const queue = this.waiters.get(index);
    const next = queue?.shift();
    if (queue !== undefined && queue.length === 0) this.waiters.delete(index);
    if (next !== undefined) {
      this.owners[index] = next;
      this.kernel.sched.wake(next);
    } else {
      this.owners[index] = undefined;
      this.words[index] = this.words[index]! & ~this.mask;
    }
    return this.kernel.sched.preempt(task, 'lock');
  }

  private check(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.words.length) {
      throw new SmmuError('EINVAL', `${this.name}: index ${String(index)} is outside 0..${this.words.length - 1}`);
    }
  }

  /** `PageLocked()`. */
  isLocked(index: number): boolean {
    return (this.words[index]! & this.mask) !== 0;
  }

  /** The holder of instance `index`, if any. */
  holder(index: number): Task | null {
    return this.owners[index] ?? null;
  }

  private acquire(task: Task, index: number, site: string | undefined): void | Promise<void> {
    if ((this.words[index]! & this.mask) === 0) {
      this.kernel.lockdep.acquire(task, this, 0, 0, index, site);
      this.words[index] = this.words[index]! | this.mask;
      this.owners[index] = task;
      return;
    }
    const waitable = this.waitable(index);
    if (!this.kernel.sched.canBlock(task)) {
      this.kernel.lockdep.check(task, this, 0, 0, index, site);
      throw this.kernel.sched.wouldBlock(task, waitable);
    }
    this.kernel.lockdep.acquire(task, this, 0, 0, index, site);
    let queue = this.waiters.get(index);
    if (queue === undefined) this.waiters.set(index, (queue = []));
    queue.push(task);
    return this.kernel.sched.block(task, waitable);
  }

  /** What a waiter on instance `index` waits for (made only on contention). */
  private waitable(index: number): Waitable {
    return {
      describe: () => `${this.name}[${index}] (bit-lock)`,
      holders: () => {
        const h = this.owners[index];
        return h === undefined ? [] : [h];
      },
    };
  }
}
