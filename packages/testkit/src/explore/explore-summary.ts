import type { Scenario } from '../scenario/schema.js';
import type { ExploreResult, FailingSchedule, ShrunkSchedule } from './types.js';

/** A {@link FailingSchedule} without its trace, with its schedule index: plain JSON. */
export type FailingScheduleSummary = Omit<FailingSchedule, 'trace'> & {
  /** The schedule's index i (it ran with `scheduleSeed(seed, i)`). */
  readonly index: number;
};

/** A {@link ShrunkSchedule} without its trace: plain JSON. */
export type ShrunkScheduleSummary = Omit<ShrunkSchedule, 'trace'>;

/**
 * An {@link ExploreResult} as plain JSON (no traces): what `mergeShardReports` returns,
 * and what `summarizeExploreResult` makes of an unsharded run, so the two compare
 * equal. Kernel counterpart: none (model machinery).
 */
export interface ExploreSummary {
  /** Schedules the serial explorer runs: up to and including the lowest failing one. */
  readonly schedules: number;
  /** For each declared window: how many of those schedules hit it at least once. */
  readonly windowHits: Record<string, number>;
  /** As {@link ExploreResult.verdict}. */
  readonly verdict: 'pass' | 'fail' | 'inconclusive';
  /** The lowest failing schedule, or null. */
  readonly failing: FailingScheduleSummary | null;
  /** Its shrunk schedule, or null. */
  readonly shrunk: ShrunkScheduleSummary | null;
  /** The scenario the schedules ran (with `depth` applied). */
  readonly scenario: Scenario;
}

/** `result` as plain JSON: the traces dropped, the failing schedule's index added. */
export function summarizeExploreResult(result: ExploreResult): ExploreSummary {
  const { failing, shrunk } = result;
  return {
    schedules: result.schedules,
    windowHits: { ...result.windowHits },
    verdict: result.verdict,
    failing: failing === null ? null : failingSummary(failing, result.schedules - 1),
    shrunk: shrunk === null ? null : shrunkSummary(shrunk),
    scenario: result.scenario,
  };
}

/** `failing` (schedule `index`) without its trace. */
export function failingSummary(failing: FailingSchedule, index: number): FailingScheduleSummary {
  const { seed, token, violations, reasons, preemptions, steps } = failing;
  return { index, seed, token, violations, reasons, preemptions, steps };
}

/** `shrunk` without its trace. */
export function shrunkSummary(shrunk: ShrunkSchedule): ShrunkScheduleSummary {
  const { token, violations, preemptions, nonDefault, steps, prefix, runs, minimal } = shrunk;
  return { token, violations, preemptions, nonDefault, steps, prefix, runs, minimal };
}
