import type { Rng } from '../util/rng.js';
import type { Strategy } from './strategy.js';
import type { Task } from './task.js';

/**
 * Probabilistic Concurrency Testing (Burckhardt et al., ASPLOS'10). Each task gets a
 * distinct random priority at or above `depth`; `depth - 1` change points are drawn
 * uniformly from `[1, steps]`; at each scheduling point the highest-priority runnable
 * task runs, and when the step count reaches the i-th change point the current task's
 * priority drops to i. A bug of depth d is found in one run with probability at least
 * 1/(n·k^(d-1)) for n tasks and k steps.
 *
 * `steps` is the estimate of k: scheduling points in one run (enabled preemption
 * points plus blocks and exits).
 */
export class PctStrategy implements Strategy {
  readonly name = 'pct';
  readonly params: Readonly<Record<string, number>>;
  readonly divergence = null;
  private readonly rng: Rng;
  private readonly depth: number;
  private readonly changePoints: number[] = [];
  private readonly priority = new Map<Task, number>();
  private readonly taken = new Set<number>();
  private step = 0;

  constructor(rng: Rng, depth: number, steps: number) {
    this.rng = rng;
    this.depth = depth;
    this.params = { depth, steps };
    const points = new Set<number>();
    const wanted = Math.min(depth - 1, steps);
    while (points.size < wanted) points.add(rng.int(1, steps));
    // Draw order, not sorted: the i-th drawn point assigns priority i+1 (the paper's k_i -> i).
    this.changePoints.push(...points);
  }

  onSpawn(task: Task): void {
    // A uniform slot among the priorities >= depth: for tasks spawned together this is
    // a uniformly random permutation, as the algorithm asks.
    let p: number;
    do p = this.depth + this.rng.int(0, 0x3fffffff);
    while (this.taken.has(p));
    this.taken.add(p);
    this.priority.set(task, p);
  }

  nextTask(runnable: readonly Task[], current: Task | null): Task {
    this.step++;
    if (current !== null) {
      const i = this.changePoints.indexOf(this.step);
      if (i >= 0) this.priority.set(current, i + 1);
    }
    let best = runnable[0]!;
    let bestPriority = this.priority.get(best) ?? 0;
    for (let i = 1; i < runnable.length; i++) {
      const p = this.priority.get(runnable[i]!) ?? 0;
      if (p > bestPriority) {
        best = runnable[i]!;
        bestPriority = p;
      }
    }
    return best;
  }
}
