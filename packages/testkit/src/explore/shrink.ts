import type { Era, Violation } from '@secondary-mmu/core-mm';
import type { DriverFactory } from '../contract.js';
import type { DeviceLatency } from '../scenario/device-latency.js';
import type { ScenarioResult } from '../scenario/run.js';
import type { Scenario } from '../scenario/schema.js';
import { DEFAULT_CHOICE, nonDefaultOf, plannedChoices, planOf, preemptionsOf, prefixOf, runGuided, type Decision } from './guided.js';
import { replay } from './replay.js';
import type { ShrunkSchedule } from './types.js';

/** A failing guided run the shrinker holds. */
interface Candidate {
  readonly result: ScenarioResult;
  readonly decisions: readonly Decision[];
  /** Positions of its non-default decisions: what the shrinker removes. */
  readonly nonDefault: readonly number[];
  readonly preemptions: number;
  readonly prefix: number;
}

/** Runs `plan` steered; the candidate if it failed the same way, else null (also when the budget is spent). */
type Attempt = (plan: readonly number[]) => Promise<Candidate | null>;

/** What the shrinker needs to re-run a schedule. */
export interface ShrinkTarget {
  readonly scenario: Scenario;
  readonly driver: DriverFactory;
  readonly era: Era;
  /** The failing run to shrink. */
  readonly failing: ScenarioResult;
  /** Most steered scenario runs to spend (the closing plain replay is not counted). */
  readonly budget: number;
  /** The device latency the failing run had (every re-run has it too). */
  readonly deviceLatency?: DeviceLatency;
}

/** The shrunk schedule, and the original's preemptions for comparison. */
export interface ShrinkOutcome {
  readonly shrunk: ShrunkSchedule;
  readonly originalPreemptions: number;
}

/** The violation kinds a run must still show to count as the same failure. */
function kindsOf(violations: readonly Violation[]): Set<string> {
  return new Set(violations.map((v) => v.kind));
}

/** Whether `r` is the same failure as one with violation kinds `kinds`: verdict `fail`, each of those kinds, no divergence. */
function sameFailure(r: ScenarioResult, kinds: ReadonlySet<string>): boolean {
  if (r.verdict !== 'fail') return false;
  const got = kindsOf(r.violations);
  return !got.has('divergence') && [...kinds].every((k) => got.has(k));
}

/**
 * Shrink a failing schedule to a 1-minimal one. What is removed are its non-default
 * decisions: the preemptions, and the picks of a queued task other than the first where
 * the current task blocked or ended. Every candidate is a steered re-run (`runGuided`),
 * kept only when it fails with every original violation kind and no divergence.
 *
 * 1. The all-default schedule (one run; when it fails, the search is over).
 * 2. Cheap cuts toward few preemptions: the shortest failing prefix of the non-default
 *    decisions (binary search), then, from the last one back, each made the default while
 *    the others keep their recorded task, repeated while that gives fewer preemptions
 *    (then a shorter prefix).
 * 3. Delta debugging (Zeller's ddmin) over the non-default decisions: a candidate keeps
 *    a subset of them, each with its chosen task, and takes the default choice everywhere
 *    else (`planOf`). Its run has fewer non-default decisions than the one it came from
 *    (they sit only where the plan names a task, and one named task at least was
 *    dropped), so every candidate accepted is smaller and the search ends. It ends when
 *    each single decision, made the default, was run against the current schedule and
 *    did not fail the same way: the schedule is then 1-minimal, verified.
 * 4. 1-minimal is local. While budget is left and preemptions remain, each decision is
 *    made the default with the others' recorded tasks kept as in step 2 (accepted if it
 *    has fewer non-default decisions, or as many and fewer preemptions), then each pair
 *    is kept alone; from an accepted one, step 3 again.
 *
 * Identical plans run once. If the budget runs out before step 3 verified a schedule,
 * the smallest failing one found is returned with `minimal: false`; after, the last
 * verified one is. The result's token is confirmed by a plain {@link replay} (the same
 * failure, the same token); if that fails, the original is returned, not minimal.
 * Deterministic.
 */
export async function shrink(t: ShrinkTarget): Promise<ShrinkOutcome> {
  const kinds = kindsOf(t.failing.violations);
  const seen = new Map<string, Candidate | null>();
  let runs = 0;
  let exhausted = false;
  const attempt: Attempt = async (plan) => {
    const key = plan.join(',');
    const known = seen.get(key);
    if (known !== undefined) return known;
    if (runs >= t.budget) {
      exhausted = true;
      return null;
    }
    runs++;
    const g = await runGuided(t.scenario, t.driver, t.era, t.failing.token, plan, t.deviceLatency);
    const c = g.guided && sameFailure(g.result, kinds) ? candidate(g.result, g.decisions) : null;
    seen.set(key, c);
    return c;
  };

  const original = await attempt(plannedChoices(t.failing.token));
  if (original === null) return await finish(t, null, null, runs, false);
  let best = (await attempt([])) ?? (await literalGreedy(await truncate(original, attempt), attempt));
  best = await ddmin(best, attempt);
  let verified = exhausted ? null : best;
  while (verified !== null && verified.preemptions > 0) {
    const next = await beyondOneMinimal(verified, attempt);
    if (next === null) break;
    best = await ddmin(next, attempt);
    if (exhausted) break;
    verified = best;
  }
  return await finish(t, verified ?? best, original, runs, verified !== null);
}

function candidate(result: ScenarioResult, decisions: readonly Decision[]): Candidate {
  return { result, decisions, nonDefault: nonDefaultOf(decisions), preemptions: preemptionsOf(decisions), prefix: prefixOf(decisions) };
}

/** Fewer preemptions, then a shorter deciding prefix, then fewer non-default decisions. */
function smaller(a: Candidate, b: Candidate): boolean {
  if (a.preemptions !== b.preemptions) return a.preemptions < b.preemptions;
  if (a.prefix !== b.prefix) return a.prefix < b.prefix;
  return a.nonDefault.length < b.nonDefault.length;
}

/** `c`'s decisions up to its prefix as recorded, except decision `i`, made the default. */
function literalWithout(c: Candidate, i: number): number[] {
  const plan = c.decisions.slice(0, c.prefix).map((d) => d.chosen);
  plan[i] = DEFAULT_CHOICE;
  return plan;
}

/** Step 2a: the fewest leading non-default decisions that still fail (binary search, assumed monotone). */
async function truncate(from: Candidate, attempt: Attempt): Promise<Candidate> {
  let best = from;
  let lo = 0;
  let hi = from.nonDefault.length;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const c = await attempt(planOf(from.decisions, from.nonDefault.slice(0, mid)));
    if (c === null) lo = mid + 1;
    else {
      if (smaller(c, best)) best = c;
      hi = mid;
    }
  }
  return best;
}

/**
 * Step 2b: from the last non-default decision back, each made the default while the
 * decisions around it keep their recorded task — a different neighbourhood from ddmin's,
 * which often reaches fewer preemptions.
 */
async function literalGreedy(from: Candidate, attempt: Attempt): Promise<Candidate> {
  let best = from;
  for (let changed = true; changed; ) {
    changed = false;
    for (let k = best.nonDefault.length - 1; k >= 0; k--) {
      const c = await attempt(literalWithout(best, best.nonDefault[k]!));
      if (c !== null && smaller(c, best)) {
        best = c;
        changed = true;
        break; // positions moved: start again from the new last one
      }
    }
  }
  return best;
}

/**
 * Step 3: ddmin over `from`'s non-default decisions. Returns the last failing candidate:
 * 1-minimal unless `attempt` ran out of budget (the caller knows).
 */
async function ddmin(from: Candidate, attempt: Attempt): Promise<Candidate> {
  let best = from;
  for (let granularity = 2; ; ) {
    const set = best.nonDefault;
    if (set.length === 0) return best;
    const n = Math.min(granularity, set.length);
    const chunks = split(set, n);
    let next: Candidate | null = null;
    if (n > 1) {
      for (const chunk of chunks) if ((next = await attempt(planOf(best.decisions, chunk))) !== null) break;
      if (next !== null) granularity = 2;
    }
    if (next === null) {
      for (const chunk of chunks) if ((next = await attempt(planOf(best.decisions, set.filter((i) => !chunk.includes(i))))) !== null) break;
      if (next !== null) granularity = Math.max(n - 1, 2);
    }
    if (next !== null) best = next;
    else if (n === set.length) return best; // every single removal ran against `best` (or the budget is spent)
    else granularity = Math.min(2 * n, set.length);
  }
}

/** Step 4: a failing schedule smaller than the 1-minimal `v` in another neighbourhood, or null. */
async function beyondOneMinimal(v: Candidate, attempt: Attempt): Promise<Candidate | null> {
  const size = v.nonDefault.length;
  for (const i of v.nonDefault) {
    const c = await attempt(literalWithout(v, i));
    if (c !== null && (c.nonDefault.length < size || (c.nonDefault.length === size && c.preemptions < v.preemptions))) return c;
  }
  if (size <= 2) return null;
  for (let a = 0; a < size; a++) {
    for (let b = a + 1; b < size; b++) {
      const c = await attempt(planOf(v.decisions, [v.nonDefault[a]!, v.nonDefault[b]!]));
      if (c !== null) return c;
    }
  }
  return null;
}

/** `xs` cut into `n` contiguous chunks of near-equal length (none empty when n <= xs.length). */
function split(xs: readonly number[], n: number): number[][] {
  const chunks: number[][] = [];
  for (let k = 0, from = 0; k < n; k++) {
    const to = Math.round(((k + 1) * xs.length) / n);
    chunks.push(xs.slice(from, to));
    from = to;
  }
  return chunks;
}

/**
 * Confirm `best` by a plain replay of its token; fall back to the original failing run
 * (whose preemptions are counted by its guided re-run, or bounded by its decisions when
 * no guide could be installed), which is then not claimed minimal.
 */
async function finish(t: ShrinkTarget, best: Candidate | null, original: Candidate | null, runs: number, minimal: boolean): Promise<ShrinkOutcome> {
  const steps = plannedChoices(t.failing.token).length;
  const originalPreemptions = original?.preemptions ?? steps;
  if (best !== null) {
    const r = await replay(t.scenario, t.driver, best.result.token, { era: t.era, ...(t.deviceLatency === undefined ? {} : { deviceLatency: t.deviceLatency }) });
    if (sameFailure(r, kindsOf(t.failing.violations)) && r.token === best.result.token) {
      const shrunk: ShrunkSchedule = {
        token: r.token,
        violations: r.violations,
        preemptions: best.preemptions,
        nonDefault: best.nonDefault.length,
        steps: best.decisions.length,
        prefix: best.prefix,
        trace: r.trace,
        runs: runs + 1,
        minimal,
      };
      return { shrunk, originalPreemptions };
    }
    runs++;
  }
  const shrunk: ShrunkSchedule = {
    token: t.failing.token,
    violations: t.failing.violations,
    preemptions: originalPreemptions,
    nonDefault: original?.nonDefault.length ?? steps,
    steps,
    prefix: original?.prefix ?? steps,
    trace: t.failing.trace,
    runs,
    minimal: false,
  };
  return { shrunk, originalPreemptions };
}
