import type { Task, Waitable } from './task.js';

/**
 * A task asleep until a virtual time: what it waits on while `sleep()` blocks it.
 *
 * Kernel counterpart: the on-stack `timer_list` of `schedule_timeout()`, whose expiry
 * (`process_timeout()`) wakes the task.
 */
export class Sleeper implements Waitable {
  readonly task: Task;
  /** Wake time, ns of virtual time. */
  readonly until: number;

  constructor(task: Task, until: number) {
    this.task = task;
    this.until = until;
  }

  describe(): string {
    return `sleep until ${this.until} ns`;
  }

  holders(): readonly Task[] {
    return [];
  }
}

// The queue is a plain array kept sorted by wake time, owned by the scheduler: its
// scheduling points test `timers.length` and `timers[0].until` directly, no call.

/**
 * Queue `sleeper` by wake time, after those due at the same time (first slept, first
 * woken). Kernel counterpart: `add_timer()`.
 */
export function addTimer(timers: Sleeper[], sleeper: Sleeper): void {
  let i = timers.length;
  while (i > 0 && timers[i - 1]!.until > sleeper.until) i--;
  timers.splice(i, 0, sleeper);
}

/**
 * Dequeue the sleepers due at `now` up to the first whose task still sleeps on it, and
 * return that task (null: none due). A sleeper whose task was woken otherwise is dropped.
 * Kernel counterpart: `__run_timers()` expiring a `process_timeout()` timer.
 */
export function expireTimer(timers: Sleeper[], now: number): Task | null {
  while (timers.length > 0 && timers[0]!.until <= now) {
    const s = timers.shift()!;
    if (s.task.waitingOn === s) return s.task;
  }
  return null;
}
