import type { DriverFactory } from '../contract.js';
import type { DriverReference } from '../explore/driver-reference.js';
import type { WorkerPool } from '../explore/worker-pool.js';
import type { ConformancePlan, PlannedCase } from './plan.js';
import type { ConformanceCase } from './report.js';
import { runConformanceCase } from './run-case.js';

/**
 * Run every case of `plan` on `pool`, one task per case, and return them in the plan's
 * order: the report the serial suite makes, since each case is deterministic on its own.
 * Skipped cases are judged here without running. This thread only hands out cases: one
 * that also ran cases was measured slower in all than a thread per worker and a thread
 * that coordinates (its cases ran slower, and the threads waited on it for their next).
 * Kernel counterpart: none (model machinery).
 */
export async function runPooledCases(pool: WorkerPool, factory: DriverFactory, reference: DriverReference, plan: ConformancePlan): Promise<ConformanceCase[]> {
  const strategy = plan.strategy === undefined ? {} : { strategy: plan.strategy };
  const cases: ConformanceCase[] = [];
  let next = 0;
  const remote = (c: PlannedCase): Promise<ConformanceCase> =>
    c.skip !== undefined ? runConformanceCase(factory, c, plan) : pool.run({ kind: 'conformance-case', caller: 'checkDriver', driver: reference, case: c, seeds: plan.seeds, ...strategy });
  const lane = async (run: (c: PlannedCase) => Promise<ConformanceCase>): Promise<void> => {
    while (next < plan.cases.length) {
      const i = next++;
      cases[i] = await run(plan.cases[i]!);
    }
  };
  // Two tasks per pool thread in flight, so a thread never waits for this one between cases.
  await Promise.all(Array.from({ length: pool.threads * 2 }, () => lane(remote)));
  return cases;
}
