import { checkCount, failFor, optionsObject } from '../arguments.js';
import type { DriverFactory } from '../contract.js';
import { checkDriverReference, isDriverReference, loadDriver, type DriverReference } from '../explore/driver-reference.js';
import { withWorkerPool } from '../explore/worker-pool.js';
import type { CheckDriverOptions } from './options.js';
import { planFor } from './plan.js';
import { runPooledCases } from './pooled-cases.js';
import type { ConformanceCase, ConformanceReport, ConformanceStatus } from './report.js';
import { runConformanceCase } from './run-case.js';

/**
 * Run the conformance suite against `driver` (a `DriverFactory`, or a
 * `DriverReference` to import): every scenario (default
 * `CONFORMANCE_SCENARIOS`) in every era (default all) at every device latency (default
 * 0 and 50 ns), over the seeds, one case at a time — or, with `options.workers` n above 1,
 * the cases shared between n worker threads (the driver must then be a reference;
 * this thread hands them out), with the same report. A case is skipped only by an era or capability the driver does not declare,
 * and the report says which. A bad driver or option — not a `DriverFactory` or a
 * reference to one, an era that is not one or is listed twice — rejects with a
 * `TestkitArgumentError` (`EINVAL`) naming it, before anything runs (see
 * `planConformance`); never a report of skips.
 * Deterministic: the same options give the same report.
 * Needs no test runner (the vitest form is `describeDriverConformance` on the
 * `/vitest` subpath).
 */
export async function checkDriver(driver: DriverFactory | DriverReference, options: CheckDriverOptions = {}): Promise<ConformanceReport> {
  const fn = 'checkDriver';
  const o = optionsObject(fn, options);
  const workers = o.workers === undefined ? 1 : checkCount(fn, o.workers, 'options.workers', 1);
  const reference = isDriverReference(driver) ? checkDriverReference(fn, driver) : null;
  if (reference === null && workers > 1) planFor(fn, driver as DriverFactory, options); // a bad factory or option is named first
  if (reference === null && workers > 1) {
    failFor(fn)('bad-driver-reference', 'driver', `workers: ${workers} runs the driver in worker threads, which cannot be handed a driver object: pass a reference { module, export } instead, e.g. { module: '@secondary-mmu/testkit', export: 'classicMirror' }`);
  }
  const factory = reference === null ? (driver as DriverFactory) : await loadDriver(reference, fn);
  const plan = planFor(fn, factory, options);
  let cases: ConformanceCase[];
  if (reference === null || workers === 1) {
    cases = [];
    for (const c of plan.cases) cases.push(await runConformanceCase(factory, c, plan));
  } else {
    cases = await withWorkerPool(workers, (pool) => runPooledCases(pool, factory, reference, plan));
  }
  const counts: Record<ConformanceStatus, number> = { pass: 0, fail: 0, inconclusive: 0, skipped: 0 };
  for (const c of cases) counts[c.status]++;
  const ok = counts.fail === 0 && (options.allowInconclusive === true || counts.inconclusive === 0);
  return { driver: plan.driver, eras: plan.eras, seeds: plan.seeds, latencies: plan.latencies, cases, counts, ok };
}
