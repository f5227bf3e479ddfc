import type { Strategy } from './strategy.js';
import type { Task } from './task.js';

/**
 * Replays the choices a token recorded: at each scheduling point with more than one
 * runnable task it runs the recorded task (named by spawn order), checking that the
 * number of runnable tasks is the recorded one and that the task is among them. When
 * not, or when choices run out, the run diverged from the recording (the program
 * changed) and the scheduler reports it.
 */
export class ReplayStrategy implements Strategy {
  readonly name = 'replay';
  readonly params: Readonly<Record<string, number>>;
  divergence: string | null = null;
  private readonly choices: readonly number[];
  private next = 0;

  /** @param choices - flattened pairs: the chosen task's spawn index, number of runnable tasks. */
  constructor(choices: readonly number[], params: Readonly<Record<string, number>>) {
    this.choices = choices;
    this.params = params;
  }

  onSpawn(): void {}

  nextTask(runnable: readonly Task[]): Task | null {
    if (runnable.length === 1) return runnable[0]!;
    const decision = this.next / 2;
    if (this.next >= this.choices.length) {
      this.divergence = `decision ${decision}: ${runnable.length} tasks runnable, but the recording has no more choices`;
      return null;
    }
    const ordinal = this.choices[this.next]!;
    const count = this.choices[this.next + 1]!;
    if (count !== runnable.length) {
      this.divergence = `decision ${decision}: ${runnable.length} tasks runnable (${runnable.map((t) => t.name).join(', ')}), the recording had ${count}`;
      return null;
    }
    const chosen = runnable.find((t) => t.spawnIndex === ordinal);
    if (chosen === undefined) {
      this.divergence = `decision ${decision}: the recording chose task #${ordinal}, which is not runnable (${runnable.map((t) => t.name).join(', ')} are)`;
      return null;
    }
    this.next += 2;
    return chosen;
  }

  /** Recorded choices not consumed: a run that ended early diverged too. */
  get unused(): number {
    return (this.choices.length - this.next) / 2;
  }
}
