import type { Rng } from '../util/rng.js';
import type { Strategy } from './strategy.js';
import type { Task } from './task.js';

/** At every scheduling point, any runnable task uniformly at random (the schedule stream). */
export class RandomStrategy implements Strategy {
  readonly name = 'random';
  readonly params = {};
  readonly divergence = null;
  private readonly rng: Rng;

  constructor(rng: Rng) {
    this.rng = rng;
  }

  onSpawn(): void {}

  nextTask(runnable: readonly Task[]): Task {
    return runnable.length === 1 ? runnable[0]! : runnable[this.rng.int(0, runnable.length - 1)]!;
  }
}
