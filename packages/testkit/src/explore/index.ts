/*
 * The schedule explorer: many seeded schedules of a scenario, the first failing one
 * shrunk to a 1-minimal schedule (no single preemption can be dropped), and replay of
 * its token.
 */
export { explore, DEFAULT_SHRINK_BUDGET } from './explore.js';
export { replay } from './replay.js';
export { scheduleSeed } from './seeds.js';
export type { ExploreOptions, ExploreResult, FailingSchedule, ShrunkSchedule } from './types.js';
