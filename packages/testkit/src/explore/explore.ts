import { checkCount, checkEra, checkFactory, failFor, optionsObject } from '../arguments.js';
import type { Scenario } from '../scenario/schema.js';
import { parseScenario } from '../scenario/load.js';
import { withSecondaryTlbCallbacks } from '../sva/windows.js';
import { runScenario, sourceOf, type ScenarioResult } from '../scenario/run.js';
import { plannedChoices } from './guided.js';
import { scheduleSeed } from './seeds.js';
import { shrink } from './shrink.js';
import type { ExploreOptions, ExploreResult, FailingSchedule } from './types.js';

/** Default bound on the shrinker's steered runs (see {@link ExploreOptions.shrinkBudget}). */
export const DEFAULT_SHRINK_BUDGET = 200;

/**
 * Explore schedules of `scenario` with `options.driver`: run up to `options.schedules`
 * schedules under `random` (default) or `pct`, schedule i with the seed
 * {@link scheduleSeed}(seed, i); stop at the first one the runner judges `fail` and
 * shrink it to a 1-minimal schedule when the shrink budget allows (see
 * {@link ShrunkSchedule.minimal} for exactly what is guaranteed). Count, per
 * declared window, the schedules that hit it. Verdict: `fail` if a schedule failed;
 * else `inconclusive` if the scenario declares windows and none was ever hit (or it
 * declares none and no schedule passed); else `pass`. Deterministic: the same options
 * give the same result. Bad arguments throw before anything runs: a scenario that is not
 * one is a `ScenarioError`, bad options a `TestkitArgumentError` (`EINVAL`).
 */
export async function explore(scenario: Scenario, options: ExploreOptions): Promise<ExploreResult> {
  const fn = 'explore';
  const parsed = withSecondaryTlbCallbacks(parseScenario(scenario, sourceOf(scenario)));
  if (options === undefined) failFor(fn)('not-an-object', 'options', 'missing: give at least { driver, era, schedules }');
  const o = optionsObject(fn, options);
  checkFactory(fn, o.driver, 'options.driver');
  checkEra(fn, o.era, 'options.era');
  checkCount(fn, o.schedules, 'options.schedules', 1);
  if (o.depth !== undefined) checkCount(fn, o.depth, 'options.depth', 1);
  if (o.shrinkBudget !== undefined) checkCount(fn, o.shrinkBudget, 'options.shrinkBudget', 0);
  const strategy = options.strategy ?? (parsed.schedule?.strategy === 'pct' ? 'pct' : 'random');
  const s: Scenario = options.depth === undefined ? parsed : { ...parsed, schedule: { strategy, ...parsed.schedule, depth: options.depth } };
  const base = options.seed ?? 1;
  const windows = (s.windows ?? []).map((w) => w.name);
  const windowHits: Record<string, number> = Object.fromEntries(windows.map((w) => [w, 0]));
  let passed = 0;
  let run = 0;
  let failed: { seed: number; result: ScenarioResult } | null = null;
  while (run < options.schedules && failed === null) {
    const seed = scheduleSeed(base, run++);
    const result = await runScenario(s, options.driver, { era: options.era, seed, strategy });
    for (const w of windows) if ((result.windowHits[w] ?? 0) > 0) windowHits[w]!++;
    if (result.verdict === 'fail') failed = { seed, result };
    else if (result.verdict === 'pass') passed++;
  }
  if (failed !== null) {
    const { result, seed } = failed;
    const { shrunk, originalPreemptions } = await shrink({ scenario: s, driver: options.driver, era: options.era, failing: result, budget: options.shrinkBudget ?? DEFAULT_SHRINK_BUDGET });
    const failing: FailingSchedule = {
      seed,
      token: result.token,
      violations: result.violations,
      reasons: result.reasons,
      trace: result.trace,
      preemptions: originalPreemptions,
      steps: plannedChoices(result.token).length,
    };
    return { schedules: run, windowHits, verdict: 'fail', failing, shrunk, scenario: s };
  }
  const hit = windows.some((w) => windowHits[w]! > 0);
  const verdict = (windows.length > 0 ? hit : passed > 0) ? 'pass' : 'inconclusive';
  return { schedules: run, windowHits, verdict, failing: null, shrunk: null, scenario: s };
}
