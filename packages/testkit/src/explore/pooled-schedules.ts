import type { DriverReference } from './driver-reference.js';
import type { ScheduleBatchSpec, ScheduleSummary } from './schedule-summary.js';
import type { WorkerPool } from './worker-pool.js';

/** Most schedules in one task: large enough to keep message costs low, small enough to balance the threads. */
const MAX_BATCH = 64;
/** The first batches' size: a failure among the first schedules (a bug found at once) wastes little work. */
const FIRST_BATCH = 4;

/**
 * Split ascending `indices` into batches: {@link FIRST_BATCH} schedules, doubling up to
 * about an eighth of each thread's share, at most {@link MAX_BATCH}; then, as the work
 * runs out, a quarter of what is left per thread, so that the last batches are small and
 * no thread still has a long batch to run when the others have finished (guided
 * self-scheduling).
 */
export function batchesOf(indices: readonly number[], threads: number): number[][] {
  const cap = Math.max(1, Math.min(MAX_BATCH, Math.ceil(indices.length / (threads * 8))));
  const out: number[][] = [];
  for (let i = 0, ramp = Math.min(FIRST_BATCH, cap); i < indices.length; ramp = Math.min(cap, ramp * 2)) {
    const size = Math.max(1, Math.min(ramp, Math.ceil((indices.length - i) / (threads * 4))));
    out.push(indices.slice(i, i + size));
    i += size;
  }
  return out;
}

/**
 * Run the schedules `indices` (ascending) of `spec` on `pool` and return what the serial
 * explorer would have seen: the summaries of every schedule up to and including the
 * lowest failing one (all of them when none fails), ascending. Batches are handed out
 * lowest first and each stops after its first failure; once a failure at i is known, no
 * batch starting above i is started — but every batch below it still completes, so the
 * lowest failing index is exact whatever the thread count or timing. This thread only
 * hands out batches: one that also ran batches was measured slower in all than a thread
 * per worker and a thread that coordinates (its schedules ran slower, and the threads
 * waited on it for their next batch). Kernel counterpart: none (model machinery).
 */
export async function runPooledSchedules(pool: WorkerPool, caller: string, driver: DriverReference, spec: ScheduleBatchSpec, indices: readonly number[]): Promise<ScheduleSummary[]> {
  const batches = batchesOf(indices, pool.threads);
  const answers: ScheduleSummary[][] = [];
  let lowestFailing = Infinity;
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < batches.length) {
      const b = next++;
      const batch = batches[b]!;
      // Batches start in ascending order, so every later one starts above the failure too.
      if (batch[0]! > lowestFailing) return;
      const summaries = await pool.run({ kind: 'schedules', caller, driver, spec, indices: batch });
      answers[b] = summaries;
      const failed = summaries.find((s) => s.verdict === 'fail');
      if (failed !== undefined) lowestFailing = Math.min(lowestFailing, failed.index);
    }
  };
  // Two tasks per thread in flight, so a thread never waits for this one between batches.
  await Promise.all(Array.from({ length: pool.threads * 2 }, lane));
  const all = answers.flat().filter((s) => s !== undefined);
  return all.filter((s) => s.index <= lowestFailing);
}
