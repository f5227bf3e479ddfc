import type { Era, Violation } from '@secondary-mmu/core-mm';
import type { NotifierTrace } from '@secondary-mmu/mmu-notifier';
import type { DriverFactory } from '../contract.js';
import type { DeviceLatency } from '../scenario/device-latency.js';
import type { Scenario } from '../scenario/schema.js';
import type { WorldSource } from '../scenario/world-template.js';
import type { DriverReference } from './driver-reference.js';
import type { ExploreShard } from './shard.js';

/** How {@link explore} searches schedules. */
export interface ExploreOptions {
  /**
   * The driver under test: a `DriverFactory`, or a {@link DriverReference} to import
   * (required when `workers` is above 1: worker threads import the driver themselves).
   */
  readonly driver: DriverFactory | DriverReference;
  /** The kernel modelled. */
  readonly era: Era;
  /** Strategy of every schedule (default: the scenario's when it is `pct`, else `random`); the scenario's preemption classes are kept. */
  readonly strategy?: 'random' | 'pct';
  /** How many schedules to run at most (a positive integer). */
  readonly schedules: number;
  /** Base seed: schedule i runs with a seed derived from it and i (default 1). */
  readonly seed?: number;
  /**
   * PCT depth: overrides the scenario's `schedule.depth`. The effective scenario (see
   * {@link ExploreResult.scenario}) is then the one whose fingerprint the tokens carry.
   */
  readonly depth?: number;
  /** Bound on the steered runs the shrinker may spend (default 200); see {@link ShrunkSchedule.minimal}. */
  readonly shrinkBudget?: number;
  /** The device latency of every schedule, the shrinker's re-runs included (default none); see `RunScenarioOptions.deviceLatency`. */
  readonly deviceLatency?: DeviceLatency;
  /**
   * Where each schedule's set-up world comes from: `auto` (the default), `build` or
   * `copy` (see `RunScenarioOptions.world`). Results are the same whichever; `build`
   * and `copy` are for measuring one against the other.
   */
  readonly world?: WorldSource;
  /**
   * Threads to run schedules on (default 1: the calling thread only). Above 1, batches
   * of schedule indices are shared between `workers` worker threads, which run the
   * built package and import the driver by reference, and the calling thread hands
   * them out; the result is the serial one whatever the count (the lowest failing
   * schedule is found, counted and shrunk as the serial run does).
   */
  readonly workers?: number;
  /**
   * Run only this shard of the `schedules` (i ≡ `index` mod `count`); `explore` then
   * returns an `ExploreShardReport` for `mergeShardReports`.
   */
  readonly shard?: ExploreShard;
}

/** The first schedule that failed, as the runner reported it. */
export interface FailingSchedule {
  /** The seed it ran with. */
  readonly seed: number;
  /** Its replay token. */
  readonly token: string;
  /** Every violation recorded. */
  readonly violations: readonly Violation[];
  /** Why the runner judged it `fail`. */
  readonly reasons: readonly string[];
  /** Its event trace. */
  readonly trace: NotifierTrace;
  /** Scheduling choices that switched away from a still-runnable current task. */
  readonly preemptions: number;
  /** Scheduling decisions (points with more than one runnable task) the token records. */
  readonly steps: number;
}

/**
 * The shrunk failing schedule (possibly the original). A schedule's *non-default
 * decisions* are its preemptions (a switch away from a still-runnable current task) and
 * its picks of a queued task other than the first where the current task blocked or
 * ended; every other decision takes the default choice. When {@link minimal} is true it
 * is 1-minimal: keeping the other non-default decisions (each with its chosen task) and
 * making any one of them the default choice gives a run that no longer fails with every
 * original violation kind — each such run was made, not assumed.
 */
export interface ShrunkSchedule {
  /** A replay token that still fails with the original violation kinds (confirmed by a plain replay). */
  readonly token: string;
  /** The violations its replay records. */
  readonly violations: readonly Violation[];
  /** Scheduling choices that switched away from a still-runnable current task. */
  readonly preemptions: number;
  /** Non-default decisions: the preemptions plus the non-first picks after a block or an exit. */
  readonly nonDefault: number;
  /** Scheduling decisions the token records. */
  readonly steps: number;
  /** Decisions up to and including the last non-default one (the rest take the default choice). */
  readonly prefix: number;
  /** The replay's event trace. */
  readonly trace: NotifierTrace;
  /** Scenario runs the shrinker spent, its closing plain replay included (when it got that far). */
  readonly runs: number;
  /**
   * True when 1-minimality was verified: every one-decision removal was run against this
   * schedule and none failed with every original kind. False when the shrink budget ran
   * out first (raise `shrinkBudget`), or when the failure could not be re-run steered
   * (the original is then returned as it was).
   */
  readonly minimal: boolean;
}

/** What {@link explore} found. */
export interface ExploreResult {
  /** Schedules run (stops at the first failing one). */
  readonly schedules: number;
  /** For each declared window: how many schedules hit it at least once. */
  readonly windowHits: Record<string, number>;
  /**
   * `fail`: some schedule failed; `inconclusive`: none failed, but no declared window
   * was ever hit (or, with no windows, no schedule passed); `pass` otherwise.
   */
  readonly verdict: 'pass' | 'fail' | 'inconclusive';
  /** The first failing schedule, or null. */
  readonly failing: FailingSchedule | null;
  /** The shrunk failing schedule, or null when nothing failed. */
  readonly shrunk: ShrunkSchedule | null;
  /** The scenario the schedules ran (with `depth` applied): replay tokens against it. */
  readonly scenario: Scenario;
}
