import type { Task } from './task.js';

/** The scheduling strategies a machine can run under. */
export type StrategyName = 'fifo' | 'random' | 'pct' | 'replay';

/**
 * Decides who runs at each scheduling point — a preemption point of an enabled
 * class, a task blocking, or a task ending. The shape is shuttle's `Scheduler`
 * (`next_task(runnable, current)`); one strategy per file.
 */
export interface Strategy {
  readonly name: StrategyName;
  /** Parameters a replay token records (PCT's depth and step estimate). */
  readonly params: Readonly<Record<string, number>>;
  /** A task became known (spawned): PCT gives it a priority. */
  onSpawn(task: Task): void;
  /**
   * The task to run next, from `runnable` (non-empty; the current task first when it
   * is still runnable, then the others in the order they became runnable). Called at
   * every scheduling point, so a strategy can count steps. `null` stops the run: a
   * replay whose recorded choices no longer fit (see `divergence`).
   */
  nextTask(runnable: readonly Task[], current: Task | null): Task | null;
  /** Why the strategy stopped fitting, when `nextTask` returned null. */
  readonly divergence: string | null;
}
