import { mightSleep } from '../check/might-sleep.js';
import type { LockContext } from './lock-context.js';
import type { Task, Waitable } from '../sched/task.js';

/**
 * `wait_queue_head_t` with `wait_event()` / `wake_up()`: a task sleeps until a
 * condition holds, re-checking it after every wake-up (so spurious and early
 * wake-ups are harmless, as in the kernel).
 */
export class WaitQueue implements Waitable {
  readonly name: string;
  private readonly kernel: LockContext;
  private waiters: Task[] = [];

  constructor(kernel: LockContext, name: string) {
    this.kernel = kernel;
    this.name = name;
  }

  /**
   * `wait_event(wq, condition)`: a sleeping primitive (might-sleep is checked even when
   * the condition already holds). Returns a Promise only if the task waited or was
   * preempted.
   */
  waitEvent(task: Task, condition: () => boolean, site?: string): void | Promise<void> {
    mightSleep(task, 'wait_event', this.name, site);
    return this.waitUntil(task, condition);
  }

  /**
   * `wait_event()` without the might-sleep check, for primitives that made their own
   * (`synchronize_rcu()`, `synchronize_srcu()`), so one misuse is one report.
   */
  waitUntil(task: Task, condition: () => boolean): void | Promise<void> {
    const p = this.kernel.sched.preempt(task, 'sleep');
    if (p !== undefined) return p.then(() => this.waitLoop(task, condition));
    if (condition()) return;
    if (!this.kernel.sched.canBlock(task)) throw this.kernel.sched.wouldBlock(task, this);
    return this.waitLoop(task, condition);
  }

  /** `wake_up_all()`: every waiter re-checks its condition. */
  wakeUp(): void {
    if (this.waiters.length === 0) return;
    const woken = this.waiters;
    this.waiters = [];
    for (const t of woken) this.kernel.sched.wake(t);
  }

  /** `waitqueue_active()`. */
  get active(): boolean {
    return this.waiters.length > 0;
  }

  holders(): readonly Task[] {
    return [];
  }

  describe(): string {
    return `wait queue ${this.name}`;
  }

  private async waitLoop(task: Task, condition: () => boolean): Promise<void> {
    while (!condition()) {
      this.waiters.push(task);
      await this.kernel.sched.block(task, this);
    }
  }
}
