import { mightSleep } from '../check/might-sleep.js';
import type { LockContext } from './lock-context.js';
import type { Task, Waitable } from '../sched/task.js';

/**
 * `struct completion`: `complete()` lets one waiter through (or banks a count when
 * nobody waits), `complete_all()` lets everyone through for good. Kernel counterpart:
 * `wait_for_completion()`, `try_wait_for_completion()`, `complete()`,
 * `complete_all()`, `completion_done()`, `reinit_completion()`.
 */
export class Completion implements Waitable {
  readonly name: string;
  private readonly kernel: LockContext;
  private done = 0;
  private readonly waiters: Task[] = [];

  constructor(kernel: LockContext, name: string) {
    this.kernel = kernel;
    this.name = name;
  }

  /** `wait_for_completion()`: a sleeping primitive. */
  wait(task: Task, site?: string): void | Promise<void> {
    mightSleep(task, 'wait_for_completion', this.name, site);
    const p = this.kernel.sched.preempt(task, 'sleep');
    if (p !== undefined) return p.then(() => this.take(task));
    return this.take(task);
  }

  /** `try_wait_for_completion()`: never sleeps. */
  tryWait(): boolean {
    if (this.done === 0) return false;
    if (this.done !== Infinity) this.done--;
    return true;
  }

  /** `complete()`: bank one count and wake the first waiter, which takes it when it runs (a `tryWait` may take it first, as in the kernel). */
  complete(): void {
    if (this.done !== Infinity) this.done++;
    const next = this.waiters.shift();
    if (next !== undefined) this.kernel.sched.wake(next);
  }

  /** `complete_all()`. */
  completeAll(): void {
    this.done = Infinity;
    for (const t of this.waiters.splice(0)) this.kernel.sched.wake(t);
  }

  /** `completion_done()`: a wait would not block. */
  get isDone(): boolean {
    return this.done > 0;
  }

  /** `reinit_completion()`. */
  reinit(): void {
    this.done = 0;
  }

  holders(): readonly Task[] {
    return [];
  }

  describe(): string {
    return `completion ${this.name}`;
  }

  private take(task: Task): void | Promise<void> {
    if (this.tryWait()) return;
    if (!this.kernel.sched.canBlock(task)) throw this.kernel.sched.wouldBlock(task, this);
    return this.waitLoop(task);
  }

  /** `do_wait_for_common()`: sleep until a count is there to take. */
  private async waitLoop(task: Task): Promise<void> {
    while (!this.tryWait()) {
      this.waiters.push(task);
      await this.kernel.sched.block(task, this);
    }
  }
}
