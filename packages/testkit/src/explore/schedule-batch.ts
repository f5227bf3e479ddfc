import type { DriverFactory } from '../contract.js';
import { runScenario, type ScenarioResult } from '../scenario/run.js';
import type { ScheduleBatchSpec, ScheduleSummary } from './schedule-summary.js';
import { scheduleSeed } from './seeds.js';

/** What a batch found: a summary per schedule run, and the failing run itself when one failed. */
export interface ScheduleBatchResult {
  /** Ascending by index; the last one is the failing schedule when one failed. */
  readonly summaries: ScheduleSummary[];
  /** The failing schedule's full result (trace, violations), or null. */
  readonly failing: ScenarioResult | null;
}

/**
 * Run the schedules `indices` (ascending) of `spec` with `driver`, one after another,
 * stopping after the first that fails, exactly as the serial explorer does: what a
 * worker thread runs for its batch, and what a shard runs in one thread.
 * Kernel counterpart: none (model machinery).
 */
export async function runScheduleBatch(spec: ScheduleBatchSpec, driver: DriverFactory, indices: readonly number[]): Promise<ScheduleBatchResult> {
  const windows = (spec.scenario.windows ?? []).map((w) => w.name);
  const summaries: ScheduleSummary[] = [];
  for (const index of indices) {
    const seed = scheduleSeed(spec.seed, index);
    const result = await runScenario(spec.scenario, driver, { era: spec.era, seed, strategy: spec.strategy, deviceLatency: spec.deviceLatency, world: spec.world });
    summaries.push(summarize(index, result, windows));
    if (result.verdict === 'fail') return { summaries, failing: result };
  }
  return { summaries, failing: null };
}

/** What an exploration keeps of one run: its verdict, the windows it hit, the token of a failure. */
export function summarize(index: number, result: ScenarioResult, windows: readonly string[]): ScheduleSummary {
  const hit = windows.length === 0 ? NONE : windows.filter((w) => (result.windowHits[w] ?? 0) > 0);
  return { index, verdict: result.verdict, hit: hit.length === 0 ? NONE : hit, token: result.verdict === 'fail' ? result.token : null };
}

const NONE: readonly string[] = Object.freeze([]);
