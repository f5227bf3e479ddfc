import { describeHeldLock, type Task } from '../sched/task.js';
import { dependencySite } from './dependency-sites.js';
import type { LockClass, LockEdge, Lockable } from './lock-class.js';

/**
 * A dependency `from -> to` as lockdep records it the first time it is seen
 * (`add_lock_to_list()`): the task, what it held then, and where. Most dependencies
 * are never printed — only the chain of an inversion report is — and an exploration
 * records them in every machine it builds, so the held-lock lines are formatted on
 * first read: the record keeps a flat copy of the task's held-lock stack (the task's
 * arrays move on). The site is the process's first for the pair
 * ({@link dependencySite}), or the acquisition's own when its caller named one.
 * Kernel counterpart: `struct lock_list` with its `trace`.
 */
export class RecordedEdge implements LockEdge {
  readonly from: LockClass;
  readonly to: LockClass;
  readonly task: string;
  readonly site: string;
  /** lock, class, flags, key, site per held lock, outermost first. */
  private readonly stack: unknown[];
  private lines: readonly string[] | null = null;

  constructor(task: Task, from: LockClass, to: LockClass, site: string | undefined) {
    this.from = from;
    this.to = to;
    this.task = task.name;
    this.site = site ?? dependencySite(from, to);
    const n = task.heldLocks.length;
    // Stryker disable next-line ArrayDeclaration: the size only preallocates; the loop below writes all 5n slots either way
    const stack = new Array<unknown>(5 * n);
    for (let i = 0; i < n; i++) {
      stack[5 * i] = task.heldLocks[i];
      stack[5 * i + 1] = task.heldClasses[i];
      stack[5 * i + 2] = task.heldFlags[i];
      stack[5 * i + 3] = task.heldKeys[i];
      stack[5 * i + 4] = task.heldSites[i];
    }
    this.stack = stack;
  }

  /** The locks the task held when the dependency was first made, as report lines. */
  get held(): readonly string[] {
    if (this.lines === null) {
      const s = this.stack;
      const lines: string[] = [];
      for (let i = 0; i < s.length; i += 5) {
        lines.push(describeHeldLock(s[i] as Lockable, s[i + 1] as LockClass, s[i + 2] as number, s[i + 3] as number, s[i + 4] as string | undefined));
      }
      this.lines = lines;
    }
    return this.lines;
  }
}
