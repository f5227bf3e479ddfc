import type { ViolationKind } from '../check/violation.js';
import type { Task } from './task.js';
import { findWaitCycle } from './wait-for.js';

/**
 * What the scheduler reports about a run that went wrong, as the arguments of
 * `Report.record`. Every finding here but the oops ends the run (and the machine);
 * `choicesLeft` is found once the run has ended.
 *
 * Kernel counterpart: the splats of the kernel's own watchdogs and of an oops.
 */
export interface RunFinding {
  readonly kind: ViolationKind;
  readonly task: Task | null;
  readonly message: string;
  readonly details?: readonly string[];
}

/**
 * Every non-daemon task that has not ended is blocked, nothing is runnable and no timer
 * is pending. The details name the wait-for cycle when there is one (its first task is
 * the culprit), else each blocked task and what it waits for.
 *
 * Kernel counterpart: the hung-task detector ("INFO: task … blocked for more than N
 * seconds"), with the cycle lockdep would print as "possible circular locking
 * dependency" — found here in the actual waits, not predicted from lock order.
 */
export function deadlock(tasks: readonly Task[]): RunFinding {
  const blocked = tasks.filter((t) => t.state === 'blocked');
  const cycle = findWaitCycle(blocked);
  const details = cycle.length > 0
    ? ['wait-for cycle:', ...cycle.map((t) => `  ${t.name} waits for ${t.waitingOn!.describe()} held by ${t.waitingOn!.holders().map((h) => h.name).join(', ')}`)]
    : ['no cycle: every task waits for an event nobody will signal', ...blocked.map((t) => `  ${t.name} waits for ${t.waitingOn?.describe() ?? '?'}`)];
  const culprit = cycle[0] ?? blocked[0] ?? null;
  return { kind: 'deadlock', task: culprit, message: `deadlock: ${blocked.length} task(s) blocked, none runnable, no timer pending`, details };
}

/**
 * The run passed its bound of scheduling points: tasks keep running without finishing.
 * Kernel counterpart: the soft-lockup detector ("BUG: soft lockup - CPU#n stuck").
 */
export function livelock(task: Task | null, maxSteps: number): RunFinding {
  return { kind: 'livelock', task, message: `no progress: the run exceeded its bound of ${maxSteps} scheduling points` };
}

/**
 * A replayed run reached a scheduling point its recording does not fit (`why`, from the
 * replay strategy). No kernel counterpart: record/replay is the model's.
 */
export function divergence(task: Task | null, why: string | null): RunFinding {
  return { kind: 'divergence', task, message: `replay diverged: ${why ?? 'no choice fits'}` };
}

/**
 * A replayed run ended with `unused` recorded choices not made: it diverged too.
 * No kernel counterpart.
 */
export function choicesLeft(unused: number): RunFinding {
  return { kind: 'divergence', task: null, message: `replay diverged: the run ended with ${unused} recorded choice(s) unused` };
}

/**
 * The run was still going at the first macrotask: a task awaited something outside the
 * simulation. No kernel counterpart: a kernel thread cannot leave the kernel's scheduler.
 */
export function uncontrolledAwait(task: Task | null): RunFinding {
  return {
    kind: 'uncontrolled-await',
    task,
    message: `${task?.name ?? 'a task'} awaited something outside the simulation (a real timer, real I/O, or a Promise no task will settle); only the model's primitives may suspend a task`,
  };
}

/**
 * Work a direct task began outside any run (`what`: a driver's attach while a scenario
 * is set up) was still pending at the first macrotask: it awaited something outside
 * the simulation, and nothing in the model will ever settle it. No kernel counterpart.
 */
export function directAwait(task: Task, what: string): RunFinding {
  return {
    kind: 'uncontrolled-await',
    task,
    message: `${task.name}: ${what} did not settle: it awaited something outside the simulation (a real timer, real I/O, or a Promise nothing will settle); only the model's primitives may suspend a task`,
    details: ['outside a run nothing else runs, so work that uses only the model settles before the first macrotask'],
  };
}

/**
 * A task's body ended while the scheduler had it suspended: it dropped a Promise the
 * model returned instead of awaiting it, so it ran on outside the schedule. The
 * machine's state can no longer be trusted. No kernel counterpart: kernel code cannot
 * run on after `schedule()` without being switched in.
 */
export function strayed(task: Task): RunFinding {
  return {
    kind: 'task-error',
    task,
    message: `${task.name} ended while suspended (${task.state}${task.waitingOn ? ` on ${task.waitingOn.describe()}` : ''}): its body did not await a Promise the model returned`,
  };
}

/**
 * A task's body threw `error`: the message and the top of its stack. The task ends; the
 * run goes on.
 *
 * Kernel counterpart: an oops — `die()` prints the message and a backtrace, the task is
 * killed (`make_task_dead()`), and the other tasks run on.
 */
export function oops(task: Task, error: unknown): RunFinding {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const stack = error instanceof Error ? (error.stack ?? '').split('\n').slice(1, 6).map((l) => l.trim()) : [];
  return { kind: 'task-error', task, message: `${task.name} oopsed: ${message}`, details: stack };
}
