import type { LockClass, Lockable } from '../check/lock-class.js';
import type { LockContext } from './lock-context.js';
import type { Task } from '../sched/task.js';

/**
 * A lockdep pseudo-lock: a map with no real locking, acquired and released only so
 * lockdep learns an order. Kernel counterpart: `struct lockdep_map` with
 * `lock_map_acquire()` / `lock_map_release()`, as `__fs_reclaim_map` and
 * `__mmu_notifier_invalidate_range_start_map`.
 */
export class LockdepMap implements Lockable {
  readonly name: string;
  readonly lockClass: LockClass;
  private readonly kernel: LockContext;

  constructor(kernel: LockContext, name: string) {
    this.kernel = kernel;
    this.name = name;
    this.lockClass = kernel.lockdep.classFor(name, 'pseudo');
  }

  /** `lock_map_acquire()`: never blocks. */
  acquire(task: Task, site?: string): void {
    this.kernel.lockdep.acquire(task, this, 0, 0, -1, site);
  }

  /** `lock_map_release()`. */
  release(task: Task): void {
    this.kernel.lockdep.release(task, this);
  }

  /**
   * Acquire and release at once: records "this map nests inside everything held now"
   * without holding it (`fs_reclaim_acquire(); fs_reclaim_release()` in `might_alloc()`).
   */
  touch(task: Task, site?: string): void {
    this.acquire(task, site);
    this.release(task);
  }
}
