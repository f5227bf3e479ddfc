import type { Lockable } from '../kernel/check/lock-class.js';
import type { Kernel } from '../kernel/kernel.js';
import { RwSemaphore } from '../kernel/locks/rwsem.js';
import { SpinLock } from '../kernel/locks/spinlock.js';
import type { Task } from '../kernel/sched/task.js';
import { rmapLocksSpin, type Era } from './era.js';

/**
 * An rmap lock whose type follows the era: `anon_vma->lock` and
 * `mapping->i_mmap_lock` were spinlocks in 2008 (held across the whole rmap walk,
 * so nothing called under them may sleep); today they are `anon_vma->rwsem` and
 * `mapping->i_mmap_rwsem`, taken for reading by walks and for writing by changes.
 */
export class RmapLock {
  readonly spin: SpinLock | null;
  readonly rwsem: RwSemaphore | null;

  /** @param names - the 2008 spinlock's name and today's rwsem's (`i_mmap_lock`, `i_mmap_rwsem`). */
  constructor(kernel: Kernel, era: Era, names: { spin: string; rwsem: string }) {
    if (rmapLocksSpin(era)) {
      this.spin = new SpinLock(kernel, names.spin);
      this.rwsem = null;
    } else {
      this.spin = null;
      this.rwsem = new RwSemaphore(kernel, names.rwsem);
    }
  }

  /** The lock as lockdep sees it. */
  get lock(): Lockable {
    return (this.spin ?? this.rwsem)!;
  }

  /** Taken by rmap walks: `anon_vma_lock_read` / `i_mmap_lock_read` (or the 2008 spin_lock). */
  lockRead(task: Task): void | Promise<void> {
    return this.spin !== null ? this.spin.lock(task) : this.rwsem!.downRead(task);
  }

  /** Reclaim's try-lock of the rmap lock (`folio_lock_anon_vma_read` with `rwc->try_lock`). */
  tryLockRead(task: Task): boolean {
    return this.spin !== null ? this.spin.trylock(task) : this.rwsem!.tryDownRead(task);
  }

  unlockRead(task: Task): void | Promise<void> {
    return this.spin !== null ? this.spin.unlock(task) : this.rwsem!.upRead(task);
  }

  /** Taken to change the tree (link, unlink, truncate in 2008). */
  lockWrite(task: Task): void | Promise<void> {
    return this.spin !== null ? this.spin.lock(task) : this.rwsem!.downWrite(task);
  }

  unlockWrite(task: Task): void | Promise<void> {
    return this.spin !== null ? this.spin.unlock(task) : this.rwsem!.upWrite(task);
  }
}
