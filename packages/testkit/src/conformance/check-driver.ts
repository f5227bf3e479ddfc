import type { DriverFactory } from '../contract.js';
import type { CheckDriverOptions } from './options.js';
import { planFor } from './plan.js';
import type { ConformanceCase, ConformanceReport, ConformanceStatus } from './report.js';
import { runConformanceCase } from './run-case.js';

/**
 * Run the conformance suite against `factory`: every scenario (default
 * `CONFORMANCE_SCENARIOS`) in every era (default all) at every device latency (default
 * 0 and 50 ns), over the seeds, one case at a time. A case is skipped only by an era or capability the driver does not declare,
 * and the report says which. A bad driver or option — not a `DriverFactory`, an era
 * that is not one or is listed twice — rejects with a `TestkitArgumentError` (`EINVAL`)
 * naming it, before anything runs (see `planConformance`); never a report of skips.
 * Deterministic: the same options give the same report.
 * Needs no test runner (the vitest form is `describeDriverConformance` on the
 * `/vitest` subpath).
 */
export async function checkDriver(factory: DriverFactory, options: CheckDriverOptions = {}): Promise<ConformanceReport> {
  const plan = planFor('checkDriver', factory, options);
  const cases: ConformanceCase[] = [];
  for (const c of plan.cases) cases.push(await runConformanceCase(factory, c, plan));
  const counts: Record<ConformanceStatus, number> = { pass: 0, fail: 0, inconclusive: 0, skipped: 0 };
  for (const c of cases) counts[c.status]++;
  const ok = counts.fail === 0 && (options.allowInconclusive === true || counts.inconclusive === 0);
  return { driver: plan.driver, eras: plan.eras, seeds: plan.seeds, latencies: plan.latencies, cases, counts, ok };
}
