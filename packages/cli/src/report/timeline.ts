import type { Era } from '@secondary-mmu/core-mm';
import type { NotifierTrace } from '@secondary-mmu/mmu-notifier';

/** One callback on a report's timeline. Kernel counterpart: none. */
export interface TimelineMark {
  readonly callback: string;
  /** Virtual ns of the call, and how long it took (0 when it never blocked). */
  readonly time: number;
  readonly duration: number;
  readonly blockable: boolean;
}

/** One run's callbacks, for one lane of a scenario × era timeline. Kernel counterpart: none. */
export interface RunTimeline {
  readonly scenario: string;
  readonly era: Era;
  readonly driver: string;
  readonly marks: readonly TimelineMark[];
}

/** The callbacks of a run's trace, in call order. Kernel counterpart: none. */
export function timelineOf(scenario: string, era: Era, driver: string, trace: NotifierTrace): RunTimeline {
  return { scenario, era, driver, marks: trace.callbacks.map((c) => ({ callback: c.callback, time: c.time, duration: c.duration ?? 0, blockable: c.blockable })) };
}
