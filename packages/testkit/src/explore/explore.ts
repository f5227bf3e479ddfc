import { checkCount, checkEra, checkFactory, failFor, optionsObject } from '../arguments.js';
import type { DriverFactory } from '../contract.js';
import type { Scenario } from '../scenario/schema.js';
import { checkDeviceLatency } from '../scenario/device-latency.js';
import { parseScenario } from '../scenario/load.js';
import { runScenario, sourceOf, type ScenarioResult } from '../scenario/run.js';
import { checkWorldSource } from '../scenario/world-template.js';
import { checkDriverReference, isDriverReference, loadDriver, type DriverReference } from './driver-reference.js';
import { failingSummary, shrunkSummary } from './explore-summary.js';
import { plannedChoices } from './guided.js';
import { runPooledSchedules } from './pooled-schedules.js';
import { runScheduleBatch, summarize } from './schedule-batch.js';
import type { ScheduleBatchSpec, ScheduleSummary } from './schedule-summary.js';
import { scheduleSeed } from './seeds.js';
import { checkShard, shardIndices, type ExploreShard } from './shard.js';
import { EXPLORE_SHARD_FORMAT, type ExploreShardReport } from './shard-report.js';
import { shrink } from './shrink.js';
import type { ExploreOptions, ExploreResult, FailingSchedule, ShrunkSchedule } from './types.js';
import { withWorkerPool } from './worker-pool.js';

/** Default bound on the shrinker's steered runs (see {@link ExploreOptions.shrinkBudget}). */
export const DEFAULT_SHRINK_BUDGET = 200;

/** The options checked and resolved: the driver loaded, the effective scenario built. */
interface Exploration {
  readonly spec: ScheduleBatchSpec;
  readonly driver: DriverFactory;
  readonly reference: DriverReference | null;
  readonly schedules: number;
  readonly workers: number;
  readonly shrinkBudget: number;
  readonly shard: ExploreShard | null;
}

/** Check every option before anything runs (a rejected call runs nothing), then import a referenced driver. */
async function resolve(fn: string, scenario: Scenario, options: ExploreOptions): Promise<Exploration> {
  const fail = failFor(fn);
  const parsed = parseScenario(scenario, sourceOf(scenario));
  if (options === undefined) fail('not-an-object', 'options', 'missing: give at least { driver, era, schedules }');
  const o = optionsObject(fn, options);
  const workers = o.workers === undefined ? 1 : checkCount(fn, o.workers, 'options.workers', 1);
  const reference = isDriverReference(o.driver) ? checkDriverReference(fn, o.driver, 'options.driver') : null;
  if (reference === null) checkFactory(fn, o.driver, 'options.driver');
  if (reference === null && workers > 1) {
    fail('bad-driver-reference', 'options.driver', `workers: ${workers} runs the driver in worker threads, which cannot be handed a driver object: pass a reference { module, export } instead, e.g. { module: '@secondary-mmu/testkit', export: 'classicMirror' }`);
  }
  const era = checkEra(fn, o.era, 'options.era');
  checkCount(fn, o.schedules, 'options.schedules', 1);
  if (o.depth !== undefined) checkCount(fn, o.depth, 'options.depth', 1);
  if (o.shrinkBudget !== undefined) checkCount(fn, o.shrinkBudget, 'options.shrinkBudget', 0);
  const shard = o.shard === undefined ? null : checkShard(fn, o.shard);
  const deviceLatency = checkDeviceLatency(fn, o.deviceLatency, 'options.deviceLatency');
  const world = checkWorldSource(fn, o.world, 'options.world');
  const strategy = options.strategy ?? (parsed.schedule?.strategy === 'pct' ? 'pct' : 'random');
  const s: Scenario = options.depth === undefined ? parsed : { ...parsed, schedule: { strategy, ...parsed.schedule, depth: options.depth } };
  const driver = reference === null ? (options.driver as DriverFactory) : await loadDriver(reference, fn, 'options.driver');
  return {
    spec: { scenario: s, era, strategy, seed: options.seed ?? 1, deviceLatency, world },
    driver,
    reference,
    schedules: options.schedules,
    workers,
    shrinkBudget: options.shrinkBudget ?? DEFAULT_SHRINK_BUDGET,
    shard,
  };
}

/**
 * Run `indices` (ascending) as the serial explorer would: summaries up to and including
 * the first failing one. The first runs in this thread, so a scenario or driver the
 * runner refuses throws here exactly as in the serial path; with `workers` n above 1 the
 * rest are shared between n worker threads, and this thread hands them out.
 */
async function runIndices(x: Exploration, indices: readonly number[]): Promise<{ summaries: ScheduleSummary[]; failing: ScenarioResult | null }> {
  if (x.workers === 1 || indices.length <= 1) return runScheduleBatch(x.spec, x.driver, indices);
  const head = await runScheduleBatch(x.spec, x.driver, indices.slice(0, 1));
  if (head.failing !== null) return head;
  const rest = await withWorkerPool(x.workers, (pool) => runPooledSchedules(pool, 'explore', x.reference!, x.spec, indices.slice(1)));
  return { summaries: [...head.summaries, ...rest], failing: null };
}

/** The failing schedule `summary` in full, and shrunk exactly as the serial explorer shrinks it. */
async function shrinkFailure(x: Exploration, summary: ScheduleSummary, known: ScenarioResult | null): Promise<{ failing: FailingSchedule; shrunk: ShrunkSchedule }> {
  const { scenario, era, strategy, deviceLatency, world } = x.spec;
  const seed = scheduleSeed(x.spec.seed, summary.index);
  // A worker's failure is re-run here for its trace; the same seed must give the same schedule.
  const result = known ?? (await runScenario(scenario, x.driver, { era, seed, strategy, deviceLatency, world }));
  if (result.token !== summary.token || result.verdict !== 'fail') {
    throw new Error(`explore: schedule ${summary.index} (seed ${seed}) failed in a worker thread with token ${summary.token} but ran to ${result.verdict} with ${result.token} here: the worker's built package differs from this one (rebuild it), or the driver is not deterministic`);
  }
  const { shrunk, originalPreemptions } = await shrink({ scenario, driver: x.driver, era, failing: result, budget: x.shrinkBudget, deviceLatency });
  const failing: FailingSchedule = {
    seed,
    token: result.token,
    violations: result.violations,
    reasons: result.reasons,
    trace: result.trace,
    preemptions: originalPreemptions,
    steps: plannedChoices(result.token).length,
  };
  return { failing, shrunk };
}

/** The unsharded result: schedules 0.. up to the first failing one, counted and judged. */
async function exploreAll(x: Exploration): Promise<ExploreResult> {
  const windows = (x.spec.scenario.windows ?? []).map((w) => w.name);
  const windowHits: Record<string, number> = Object.fromEntries(windows.map((w) => [w, 0]));
  let passed = 0;
  let count = 0;
  let last: ScheduleSummary | null = null;
  const take = (summary: ScheduleSummary): void => {
    count++;
    last = summary;
    if (summary.verdict === 'pass') passed++;
    for (const w of summary.hit) windowHits[w]!++;
  };
  let known: ScenarioResult | null = null;
  if (x.workers === 1) {
    // One thread: run and count as we go, keeping nothing per schedule, so memory stays
    // flat however many schedules run.
    for (let index = 0; index < x.schedules; index++) {
      const seed = scheduleSeed(x.spec.seed, index);
      const result = await runScenario(x.spec.scenario, x.driver, { era: x.spec.era, seed, strategy: x.spec.strategy, deviceLatency: x.spec.deviceLatency, world: x.spec.world });
      take(summarize(index, result, windows));
      if (result.verdict === 'fail') {
        known = result;
        break;
      }
    }
  } else {
    const run = await runIndices(x, shardIndices({ index: 0, count: 1 }, x.schedules));
    for (const summary of run.summaries) take(summary);
    known = run.failing;
  }
  const final = last as ScheduleSummary | null;
  if (final !== null && final.verdict === 'fail') {
    const { failing, shrunk } = await shrinkFailure(x, final, known);
    return { schedules: count, windowHits, verdict: 'fail', failing, shrunk, scenario: x.spec.scenario };
  }
  const hit = windows.some((w) => windowHits[w]! > 0);
  const verdict = (windows.length > 0 ? hit : passed > 0) ? 'pass' : 'inconclusive';
  return { schedules: count, windowHits, verdict, failing: null, shrunk: null, scenario: x.spec.scenario };
}

/** One shard's report: its schedules up to its first failure, each hit kept by index. */
async function exploreShard(x: Exploration, shard: ExploreShard): Promise<ExploreShardReport> {
  const { summaries, failing: known } = await runIndices(x, shardIndices(shard, x.schedules));
  const windowHits: Record<string, number[]> = Object.fromEntries((x.spec.scenario.windows ?? []).map((w) => [w.name, []]));
  for (const summary of summaries) for (const w of summary.hit) windowHits[w]!.push(summary.index);
  const last = summaries[summaries.length - 1];
  const found = last?.verdict === 'fail' ? await shrinkFailure(x, last, known) : null;
  const { scenario, era, strategy, seed, deviceLatency } = x.spec;
  return {
    format: EXPLORE_SHARD_FORMAT,
    shard,
    driver: x.driver.name,
    era,
    strategy,
    seed,
    schedules: x.schedules,
    deviceLatency,
    shrinkBudget: x.shrinkBudget,
    scenario,
    ran: summaries.map((r) => r.index),
    passed: summaries.filter((r) => r.verdict === 'pass').length,
    windowHits,
    failing: found === null ? null : failingSummary(found.failing, last!.index),
    shrunk: found === null ? null : shrunkSummary(found.shrunk),
  };
}

/**
 * Explore one shard of the schedules of `scenario` (`options.shard`): run the schedules
 * i ≡ `shard.index` (mod `shard.count`) of `0..schedules-1` as the unsharded explorer
 * would, stopping after this shard's first failure (shrunk as usual), and return an
 * {@link ExploreShardReport}; `mergeShardReports` combines all the shards' reports into
 * what the unsharded run finds. A shard that is not `{ index, count }` with
 * `0 <= index < count` is a `TestkitArgumentError` (`EINVAL`, `bad-shard`).
 */
export function explore(scenario: Scenario, options: ExploreOptions & { readonly shard: ExploreShard }): Promise<ExploreShardReport>;
/**
 * Explore schedules of `scenario` with `options.driver`: run up to `options.schedules`
 * schedules under `random` (default) or `pct`, schedule i with the seed
 * {@link scheduleSeed}(seed, i); stop at the first one the runner judges `fail` and
 * shrink it to a 1-minimal schedule when the shrink budget allows (see
 * {@link ShrunkSchedule.minimal} for exactly what is guaranteed). Count, per
 * declared window, the schedules that hit it. Verdict: `fail` if a schedule failed;
 * else `inconclusive` if the scenario declares windows and none was ever hit (or it
 * declares none and no schedule passed); else `pass`. Deterministic: the same options
 * give the same result, whatever `options.workers` (with more than one worker, the
 * lowest failing schedule is the one reported, counted up to and shrunk). Bad arguments
 * throw before anything runs: a scenario that is not one is a `ScenarioError`, bad
 * options a `TestkitArgumentError` (`EINVAL`) — a driver object with `workers` above 1
 * included (pass a {@link DriverReference}).
 */
export function explore(scenario: Scenario, options: ExploreOptions & { readonly shard?: undefined }): Promise<ExploreResult>;
/** {@link explore} with options whose `shard` may or may not be set: the result is the matching kind. */
export function explore(scenario: Scenario, options: ExploreOptions): Promise<ExploreResult | ExploreShardReport>;
export async function explore(scenario: Scenario, options: ExploreOptions): Promise<ExploreResult | ExploreShardReport> {
  const x = await resolve('explore', scenario, options);
  return x.shard === null ? exploreAll(x) : exploreShard(x, x.shard);
}
