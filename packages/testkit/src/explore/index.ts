/*
 * The schedule explorer: many seeded schedules of a scenario, the first failing one
 * shrunk to a 1-minimal schedule (no single preemption can be dropped), and replay of
 * its token; on worker threads (a driver by reference), or one shard of a CI matrix at
 * a time, the shards' reports merged into the serial result.
 */
export { explore, DEFAULT_SHRINK_BUDGET } from './explore.js';
export { replay } from './replay.js';
export { tuneHeapForExploration, EXPLORATION_V8_FLAGS } from './exploration-heap.js';
export { closeExplorerThreads } from './worker-pool.js';
export { scheduleSeed } from './seeds.js';
export { loadDriver, isDriverReference, type DriverReference } from './driver-reference.js';
export { mergeShardReports } from './merge-shard-reports.js';
export { EXPLORE_SHARD_FORMAT, type ExploreShardReport } from './shard-report.js';
export { summarizeExploreResult, type ExploreSummary, type FailingScheduleSummary, type ShrunkScheduleSummary } from './explore-summary.js';
export type { ExploreShard } from './shard.js';
export type { ExploreOptions, ExploreResult, FailingSchedule, ShrunkSchedule } from './types.js';
