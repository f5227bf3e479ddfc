import type { Strategy } from './strategy.js';
import type { Task } from './task.js';

/**
 * Run to block: the current task keeps the CPU until it blocks or ends, then the task
 * runnable the longest goes next. No preemption points are consulted, so code that
 * does not block never allocates a Promise: the default and the fast path.
 */
export class FifoStrategy implements Strategy {
  readonly name = 'fifo';
  readonly params = {};
  readonly divergence = null;

  onSpawn(): void {}

  nextTask(runnable: readonly Task[]): Task {
    return runnable[0]!;
  }
}
