import type { DriverReference } from './driver-reference.js';
import type { ScheduleBatchSpec, ScheduleSummary } from './schedule-summary.js';
import type { WorkerPool } from './worker-pool.js';

/** Most schedules in one task: large enough to keep message costs low, small enough to balance the threads. */
const MAX_BATCH = 64;
/** The first batches' size: a failure among the first schedules (a bug found at once) wastes little work. */
const FIRST_BATCH = 4;

/**
 * Split ascending `indices` into batches: {@link FIRST_BATCH} schedules, doubling up to
 * about an eighth of each thread's share, at most {@link MAX_BATCH}.
 */
function batchesOf(indices: readonly number[], threads: number): number[][] {
  const cap = Math.max(1, Math.min(MAX_BATCH, Math.ceil(indices.length / (threads * 8))));
  const out: number[][] = [];
  for (let i = 0, size = Math.min(FIRST_BATCH, cap); i < indices.length; i += size, size = Math.min(cap, size * 2)) out.push(indices.slice(i, i + size));
  return out;
}

/**
 * Run the schedules `indices` (ascending) of `spec` on `pool` and in this thread (`local`
 * runs a batch here: the thread works while the pool's threads start) and return what
 * the serial explorer would have seen: the summaries of every schedule up to and
 * including the lowest failing one (all of them when none fails), ascending. Batches are
 * handed out lowest first and each stops after its first failure; once a failure at i is
 * known, no batch starting above i is started — but every batch below it still
 * completes, so the lowest failing index is exact whatever the thread count or timing.
 * Kernel counterpart: none (model machinery).
 */
export async function runPooledSchedules(
  pool: WorkerPool,
  local: (indices: readonly number[]) => Promise<ScheduleSummary[]>,
  caller: string,
  driver: DriverReference,
  spec: ScheduleBatchSpec,
  indices: readonly number[],
): Promise<ScheduleSummary[]> {
  const batches = batchesOf(indices, pool.threads + 1);
  const answers: ScheduleSummary[][] = [];
  let lowestFailing = Infinity;
  let next = 0;
  const remote = (batch: readonly number[]): Promise<ScheduleSummary[]> => pool.run({ kind: 'schedules', caller, driver, spec, indices: batch });
  const lane = async (run: (batch: readonly number[]) => Promise<ScheduleSummary[]>): Promise<void> => {
    while (next < batches.length) {
      const b = next++;
      const batch = batches[b]!;
      // Batches start in ascending order, so every later one starts above the failure too.
      if (batch[0]! > lowestFailing) return;
      const summaries = await run(batch);
      answers[b] = summaries;
      const failed = summaries.find((s) => s.verdict === 'fail');
      if (failed !== undefined) lowestFailing = Math.min(lowestFailing, failed.index);
    }
  };
  // Two tasks per pool thread in flight, so a thread never waits for this one between batches.
  await Promise.all([lane(local), ...Array.from({ length: pool.threads * 2 }, () => lane(remote))]);
  const all = answers.flat().filter((s) => s !== undefined);
  return all.filter((s) => s.index <= lowestFailing);
}
