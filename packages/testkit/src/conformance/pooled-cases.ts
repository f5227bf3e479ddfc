import type { DriverFactory } from '../contract.js';
import type { DriverReference } from '../explore/driver-reference.js';
import type { WorkerPool } from '../explore/worker-pool.js';
import type { ConformancePlan, PlannedCase } from './plan.js';
import type { ConformanceCase } from './report.js';
import { runConformanceCase } from './run-case.js';

/**
 * Run every case of `plan` on `pool` (one task per case) and in this thread, which takes
 * the next case whenever it is free, and return them in the plan's order: the report the
 * serial suite makes, since each case is deterministic on its own. Skipped cases are
 * judged without running. Kernel counterpart: none (model machinery).
 */
export async function runPooledCases(pool: WorkerPool, factory: DriverFactory, reference: DriverReference, plan: ConformancePlan): Promise<ConformanceCase[]> {
  const strategy = plan.strategy === undefined ? {} : { strategy: plan.strategy };
  const cases: ConformanceCase[] = [];
  let next = 0;
  const local = async (c: PlannedCase): Promise<ConformanceCase> => {
    // A case settles in microtasks only: yield first, so the pool's replies are taken and
    // its threads handed their next case between this thread's cases.
    await new Promise<void>((resolve) => setImmediate(resolve));
    return runConformanceCase(factory, c, plan);
  };
  const remote = (c: PlannedCase): Promise<ConformanceCase> =>
    c.skip !== undefined ? local(c) : pool.run({ kind: 'conformance-case', caller: 'checkDriver', driver: reference, case: c, seeds: plan.seeds, ...strategy });
  const lane = async (run: (c: PlannedCase) => Promise<ConformanceCase>): Promise<void> => {
    while (next < plan.cases.length) {
      const i = next++;
      cases[i] = await run(plan.cases[i]!);
    }
  };
  // Two tasks per pool thread in flight, so a thread never waits for this one between cases.
  await Promise.all([lane(local), ...Array.from({ length: pool.threads * 2 }, () => lane(remote))]);
  return cases;
}
