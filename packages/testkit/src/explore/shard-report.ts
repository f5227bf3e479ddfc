import type { Era } from '@secondary-mmu/core-mm';
import type { DeviceLatency } from '../scenario/device-latency.js';
import type { Scenario } from '../scenario/schema.js';
import type { FailingScheduleSummary, ShrunkScheduleSummary } from './explore-summary.js';
import type { ExploreShard } from './shard.js';

/** The `format` of every {@link ExploreShardReport}: reports of another format are not merged. */
export const EXPLORE_SHARD_FORMAT = 'secondary-mmu/explore-shard@1';

/**
 * What one shard of an exploration found (`explore(…, { shard })`), as plain JSON to
 * store as a CI artifact and combine with `mergeShardReports`. The shard runs its
 * schedules i ≡ `shard.index` (mod `shard.count`) in ascending order and stops after its
 * first failure; each hit is kept by schedule index, so the merge can count only the
 * schedules the serial explorer would have run. Kernel counterpart: none (model machinery).
 */
export interface ExploreShardReport {
  /** {@link EXPLORE_SHARD_FORMAT}. */
  readonly format: typeof EXPLORE_SHARD_FORMAT;
  /** Which shard this is. */
  readonly shard: ExploreShard;
  /** The driver's name. */
  readonly driver: string;
  /** The era explored. */
  readonly era: Era;
  /** The strategy of every schedule. */
  readonly strategy: 'random' | 'pct';
  /** The base seed. */
  readonly seed: number;
  /** The whole exploration's schedule budget (all shards together). */
  readonly schedules: number;
  /** The device latency of every schedule. */
  readonly deviceLatency: Required<DeviceLatency>;
  /** The shrinker's budget. */
  readonly shrinkBudget: number;
  /** The scenario the schedules ran (with `depth` applied). */
  readonly scenario: Scenario;
  /** The indices of the schedules this shard ran, ascending (its failing one last when one failed). */
  readonly ran: readonly number[];
  /** How many of them passed. */
  readonly passed: number;
  /** For each declared window: the indices of the schedules run that hit it. */
  readonly windowHits: Record<string, readonly number[]>;
  /** This shard's lowest failing schedule, or null. */
  readonly failing: FailingScheduleSummary | null;
  /** That schedule shrunk (as the serial explorer shrinks it), or null. */
  readonly shrunk: ShrunkScheduleSummary | null;
}
