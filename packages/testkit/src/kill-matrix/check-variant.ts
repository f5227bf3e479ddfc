import { explore } from '../explore/explore.js';
import { replay } from '../explore/replay.js';
import type { ExploreResult } from '../explore/types.js';
import { runScenario, type ScenarioResult } from '../scenario/run.js';
import { killMatrixScenario } from './scenario.js';
import type { KillMatrixVariant } from './types.js';

/** How {@link checkKillMatrixVariant} explores. */
export interface KillMatrixCheckOptions {
  /** Base seed of the search (default 1). */
  readonly seed?: number;
  /** The shrinker's budget (default `explore`'s). */
  readonly shrinkBudget?: number;
}

/** What {@link checkKillMatrixVariant} found. */
export interface KillMatrixCheck {
  /** Every rule the variant broke, in words; empty when it holds to all of them. */
  readonly problems: readonly string[];
  /** The variant's scenario run once under `fifo` (no preemption). */
  readonly fifo: ScenarioResult;
  /** The search over the variant (stopped at its first failing schedule, shrunk). */
  readonly explored: ExploreResult;
  /** The expected kinds the search found. */
  readonly caught: readonly string[];
  /** The plain replay of the shrunk token, or null when nothing failed. */
  readonly replayed: ScenarioResult | null;
  /** The same search over the unmodified reference driver. */
  readonly reference: ExploreResult;
}

const kinds = (vs: readonly { kind: string }[]): string[] => [...new Set(vs.map((x) => x.kind))].sort();

/**
 * Hold one kill-matrix variant to the matrix's rules:
 *
 * - under `fifo` with no preemption, a race (`race: true`) must not fail, and a
 *   deterministic bug must fail with one of its `expectedKinds`;
 * - `explore` (the scenario's strategy, else random; `variant.schedules` schedules) must
 *   fail with one of its `expectedKinds`; the shrunk token, replayed plainly, must give
 *   the same token and fail with a kind the search caught; the shrinker must have
 *   verified 1-minimality; for a race the shrunk schedule keeps at least one non-default
 *   decision (a preemption or a non-first pick);
 * - the same search over `variant.reference` must `pass` — no violation, and a window
 *   hit (not `inconclusive`).
 *
 * Kernel counterpart: none.
 */
export async function checkKillMatrixVariant(variant: KillMatrixVariant, options: KillMatrixCheckOptions = {}): Promise<KillMatrixCheck> {
  const { driver, era, expectedKinds, schedules } = variant;
  const scenario = killMatrixScenario(variant);
  const problems: string[] = [];
  const expected = (ks: readonly string[]): string[] => ks.filter((k) => expectedKinds.includes(k));
  const want = expectedKinds.join(' | ');

  const fifo = await runScenario(scenario, driver, { era, strategy: 'fifo' });
  const fifoKinds = kinds(fifo.violations);
  if (variant.race && fifo.verdict === 'fail') problems.push(`a race, but fifo with no preemption caught it (${fifoKinds.join(', ') || fifo.reasons.join('; ')}): the scenario hands it the race`);
  if (!variant.race && (fifo.verdict !== 'fail' || expected(fifoKinds).length === 0)) problems.push(`deterministic, but fifo did not catch it as ${want} (${fifo.verdict}: ${fifoKinds.join(', ') || 'no violation'})`);

  const explored = await explore(scenario, {
    driver,
    era,
    schedules,
    seed: options.seed ?? 1,
    ...(options.shrinkBudget === undefined ? {} : { shrinkBudget: options.shrinkBudget }),
  });
  const caught = explored.failing === null ? [] : expected(kinds(explored.failing.violations));
  let replayed: ScenarioResult | null = null;
  if (caught.length === 0) {
    problems.push(`the search did not catch it as ${want} within ${schedules} schedules (${explored.verdict}${explored.failing === null ? '' : `: ${kinds(explored.failing.violations).join(', ')}`})`);
  } else {
    const shrunk = explored.shrunk!;
    replayed = await replay(explored.scenario, driver, shrunk.token, { era });
    const again = kinds(replayed.violations);
    if (replayed.token !== shrunk.token || replayed.verdict !== 'fail' || !caught.some((k) => again.includes(k))) {
      problems.push(`the shrunk token replays to ${replayed.verdict} (${again.join(', ') || 'no violation'}), not to the failure caught (${caught.join(', ')})`);
    }
    if (!shrunk.minimal) problems.push('the shrink budget ran out before 1-minimality was verified');
    if (variant.race && shrunk.nonDefault === 0) problems.push('a race, but its shrunk schedule takes the default choice everywhere');
  }

  const reference = await explore(scenario, { driver: variant.reference, era, schedules, seed: options.seed ?? 1, shrinkBudget: 0 });
  if (reference.verdict !== 'pass') {
    const why = reference.failing === null ? `no window was hit in ${reference.schedules} schedules` : kinds(reference.failing.violations).join(', ');
    problems.push(`the reference ${variant.reference.name} does not pass the scenario (${reference.verdict}: ${why})`);
  }
  return { problems, fifo, explored, caught, replayed, reference };
}
