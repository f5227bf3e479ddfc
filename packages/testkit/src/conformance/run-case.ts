import type { DriverFactory } from '../contract.js';
import { runScenario } from '../scenario/run.js';
import { caseTitle, type ConformancePlan, type PlannedCase } from './plan.js';
import type { ConformanceCase, ConformanceRun, ConformanceViolation } from './report.js';

/** What a case's runs take from its plan: the seeds, and the strategy override. */
export type CaseRunOptions = Pick<ConformancePlan, 'seeds' | 'strategy'>;

/** What `runScenario` says when a prefetch step met an instance without `prefetch`. */
const NO_PREFETCH = 'driver has no prefetch';
/** `runScenario`'s per-seed reason when no window was hit: judged over all seeds instead. */
const NO_WINDOW = 'no window was hit';

/** Run one seed, turning a throw (an attach or a scenario bug) into a failed run. */
async function runSeed(factory: DriverFactory, c: PlannedCase, plan: CaseRunOptions, seed: number): Promise<{ run: ConformanceRun; violations: ConformanceViolation[] }> {
  try {
    const r = await runScenario(c.scenario.scenario, factory, { era: c.era, seed, deviceLatency: c.latency, ...(plan.strategy === undefined ? {} : { strategy: plan.strategy }) });
    const violations = r.violations.map((v) => ({ kind: v.kind, message: v.message, seed, token: r.token }));
    return { run: { seed, verdict: r.verdict, token: r.token, windowHits: r.windowHits, reasons: r.reasons }, violations };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { run: { seed, verdict: 'fail', token: '', windowHits: {}, reasons: [`threw: ${message}`] }, violations: [] };
  }
}

/**
 * Run one planned case with `factory` over the plan's seeds and judge it: `fail` when
 * any seed fails (every violation kept with its seed's replay token); `skipped` (by
 * `prefetch`) when a run needed a prefetch the instance does not implement;
 * `inconclusive` when the scenario has windows and none was hit on any seed, or a step
 * was skipped; `pass` otherwise. A case the plan skips is returned skipped, unrun.
 */
export async function runConformanceCase(factory: DriverFactory, c: PlannedCase, plan: CaseRunOptions): Promise<ConformanceCase> {
  const base = { scenario: c.scenario.name, era: c.era, latency: c.latency, title: caseTitle(c.scenario.name, c.era, c.latency) };
  if (c.skip !== undefined) return { ...base, status: 'skipped', skip: c.skip, violations: [], reasons: [c.skip.reason], windowHits: {}, runs: [] };

  const runs: ConformanceRun[] = [];
  const violations: ConformanceViolation[] = [];
  for (const seed of plan.seeds) {
    const r = await runSeed(factory, c, plan, seed);
    runs.push(r.run);
    violations.push(...r.violations);
  }
  const windowHits: Record<string, number> = {};
  for (const w of c.scenario.scenario.windows ?? []) windowHits[w.name] = runs.reduce((n, r) => n + (r.windowHits[w.name] ?? 0), 0);
  const seeded = (verdicts: readonly string[]): string[] =>
    runs.filter((r) => verdicts.includes(r.verdict)).flatMap((r) => r.reasons.filter((x) => !x.startsWith(NO_WINDOW)).map((x) => `seed ${r.seed}${r.token === '' ? '' : ` (replay ${r.token})`}: ${x}`));
  const result = { ...base, violations, windowHits, runs };

  if (runs.some((r) => r.verdict === 'fail')) return { ...result, status: 'fail', reasons: seeded(['fail']) };
  if (runs.some((r) => r.reasons.some((x) => x.includes(NO_PREFETCH)))) {
    const reason = `driver "${factory.name}" has no prefetch, which scenario "${c.scenario.name}" needs`;
    return { ...result, status: 'skipped', skip: { capability: 'prefetch', reason }, reasons: [reason] };
  }
  const names = Object.keys(windowHits);
  const missed = names.length > 0 && names.every((n) => windowHits[n] === 0) ? [`no window was hit on any of seeds ${plan.seeds.join(', ')} (${names.join(', ')})`] : [];
  const reasons = [...missed, ...seeded(['inconclusive'])];
  return { ...result, status: reasons.length > 0 ? 'inconclusive' : 'pass', reasons };
}
