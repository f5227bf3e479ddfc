import type { Era } from '@secondary-mmu/core-mm';
import type { DeviceLatency } from '../scenario/device-latency.js';
import type { Scenario } from '../scenario/schema.js';
import type { WorldSource } from '../scenario/world-template.js';

/**
 * One schedule's outcome, small enough to cross a thread (or a CI job) boundary: what
 * {@link explore} needs to count and judge without the run's trace or machine.
 * Kernel counterpart: none (model machinery).
 */
export interface ScheduleSummary {
  /** The schedule's index i (it ran with `scheduleSeed(seed, i)`). */
  readonly index: number;
  /** The runner's verdict on it. */
  readonly verdict: 'pass' | 'fail' | 'inconclusive';
  /** The declared windows it hit at least once. */
  readonly hit: readonly string[];
  /**
   * Its replay token when it failed, else null: encoding a token costs more than a small
   * run, and an exploration needs only the failing schedule's.
   */
  readonly token: string | null;
}

/**
 * Everything a schedule needs besides its index, as plain data: the effective scenario
 * (`parseScenario`'s output, with any `depth` applied), the era, the strategy, the base
 * seed and the device latency. Kernel counterpart: none (model machinery).
 */
export interface ScheduleBatchSpec {
  readonly scenario: Scenario;
  readonly era: Era;
  readonly strategy: 'random' | 'pct';
  /** The base seed: schedule i runs with `scheduleSeed(seed, i)`. */
  readonly seed: number;
  readonly deviceLatency: Required<DeviceLatency>;
  /** Where each schedule's set-up world comes from (`RunScenarioOptions.world`). */
  readonly world: WorldSource;
}
