import type { DriverFactory } from '../contract.js';
import type { DriverReference } from '../explore/driver-reference.js';
import type { WorkerPool } from '../explore/worker-pool.js';
import type { ConformancePlan } from './plan.js';
import type { ConformanceCase } from './report.js';
import { runConformanceCase } from './run-case.js';

/**
 * Run every case of `plan` on `pool`, one task per case, and return them in the plan's
 * order: the report the serial suite makes, since each case is deterministic on its
 * own. Skipped cases are judged here without running. Kernel counterpart: none (model
 * machinery).
 */
export function runPooledCases(pool: WorkerPool, factory: DriverFactory, reference: DriverReference, plan: ConformancePlan): Promise<ConformanceCase[]> {
  const strategy = plan.strategy === undefined ? {} : { strategy: plan.strategy };
  return Promise.all(
    plan.cases.map((c) =>
      c.skip !== undefined ? runConformanceCase(factory, c, plan) : pool.run({ kind: 'conformance-case', caller: 'checkDriver', driver: reference, case: c, seeds: plan.seeds, ...strategy }),
    ),
  );
}
