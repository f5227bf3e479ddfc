import type { Era, Violation } from '@secondary-mmu/core-mm';
import type { DriverFactory } from '../contract.js';
import type { ScenarioResult } from '../scenario/run.js';
import type { Scenario } from '../scenario/schema.js';
import { DEFAULT_CHOICE, plannedChoices, preemptionsOf, prefixOf, runGuided, type Decision } from './guided.js';
import { replay } from './replay.js';
import type { ShrunkSchedule } from './types.js';

/** A failing guided run the shrinker holds. */
interface Candidate {
  readonly result: ScenarioResult;
  readonly decisions: readonly Decision[];
  readonly preemptions: number;
  readonly prefix: number;
}

/** What the shrinker needs to re-run a schedule. */
export interface ShrinkTarget {
  readonly scenario: Scenario;
  readonly driver: DriverFactory;
  readonly era: Era;
  /** The failing run to shrink. */
  readonly failing: ScenarioResult;
  /** Most scenario runs to spend. */
  readonly budget: number;
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

/** Whether `r` fails with every kind in `kinds` and did not diverge. */
function sameFailure(r: ScenarioResult, kinds: ReadonlySet<string>): boolean {
  if (r.verdict !== 'fail') return false;
  const got = kindsOf(r.violations);
  return !got.has('divergence') && [...kinds].every((k) => got.has(k));
}

/** Lexicographic: fewer preemptions, then a shorter deciding prefix, then fewer decisions. */
function smaller(a: Candidate, b: Candidate): boolean {
  if (a.preemptions !== b.preemptions) return a.preemptions < b.preemptions;
  if (a.prefix !== b.prefix) return a.prefix < b.prefix;
  return a.decisions.length < b.decisions.length;
}

/**
 * Shrink a failing schedule: steer re-runs (see `runGuided`) with (1) the deciding
 * prefix truncated — binary search for the shortest prefix after which every choice is
 * the default — and (2) greedily, from the last decision back, each non-default choice
 * (a preemption, or a pick among queued tasks) turned into the default one, repeated
 * while that helps, then (3) plans keeping only one or two of the remaining non-default
 * choices. A candidate is kept only when it still fails with the original
 * violation kinds (and no divergence) and is smaller (fewer preemptions, then a shorter
 * prefix). The winner's token is checked with a plain {@link replay}; if that did not
 * reproduce the failure, the original is returned. Deterministic.
 */
export async function shrink(t: ShrinkTarget): Promise<ShrinkOutcome> {
  const kinds = kindsOf(t.failing.violations);
  let runs = 0;
  const attempt = async (plan: readonly number[]): Promise<Candidate | null> => {
    if (runs >= t.budget) return null;
    runs++;
    const g = await runGuided(t.scenario, t.driver, t.era, t.failing.token, plan);
    if (!g.guided || !sameFailure(g.result, kinds)) return null;
    return { result: g.result, decisions: g.decisions, preemptions: preemptionsOf(g.decisions), prefix: prefixOf(g.decisions) };
  };

  const original = await attempt(plannedChoices(t.failing.token));
  if (original === null) return await finish(t, null, null, runs);
  let best = original;

  // (1) Truncate: the shortest failing prefix of the original plan (assumed monotone).
  const plan = best.decisions.map((d) => d.chosen);
  let lo = 0;
  let hi = best.prefix;
  while (lo < hi && runs < t.budget) {
    const mid = Math.floor((lo + hi) / 2);
    const c = await attempt(plan.slice(0, mid));
    if (c === null) lo = mid + 1;
    else {
      if (smaller(c, best)) best = c;
      hi = Math.min(mid, c.prefix);
    }
  }

  // (2) Default each non-default decision, last first; new bests share the earlier decisions.
  for (let changed = true; changed && runs < t.budget; ) {
    changed = false;
    for (let i = best.prefix - 1; i >= 0 && runs < t.budget; i--) {
      if (best.decisions[i]?.isDefault !== false) continue;
      const next = best.decisions.slice(0, best.prefix).map((d) => d.chosen);
      next[i] = DEFAULT_CHOICE;
      const c = await attempt(next);
      if (c !== null && smaller(c, best)) {
        best = c;
        changed = true;
      }
    }
  }
  // (3) Keep only one, then two, of the remaining non-default decisions (greedy can stall).
  for (let k = 1; k <= 2 && runs < t.budget; k++) {
    const keep = best.decisions.flatMap((d, i) => (d.isDefault ? [] : [i]));
    if (keep.length <= k) break;
    const from = best;
    for (const subset of subsets(keep, k)) {
      if (runs >= t.budget) break;
      const next: number[] = new Array<number>(Math.max(...subset) + 1).fill(DEFAULT_CHOICE);
      for (const i of subset) next[i] = from.decisions[i]!.chosen;
      const c = await attempt(next);
      if (c !== null && smaller(c, best)) best = c;
    }
  }
  return await finish(t, best, original, runs);
}

/** The `k`-element subsets of `xs`, in lexicographic order. */
function* subsets(xs: readonly number[], k: number, from = 0): Generator<number[]> {
  if (k === 0) {
    yield [];
    return;
  }
  for (let i = from; i <= xs.length - k; i++) for (const rest of subsets(xs, k - 1, i + 1)) yield [xs[i]!, ...rest];
}

/**
 * Confirm `best` by a plain replay of its token; fall back to the original failing run
 * (whose preemptions are counted by its guided re-run, or bounded by its decisions when
 * no guide could be installed).
 */
async function finish(t: ShrinkTarget, best: Candidate | null, original: Candidate | null, runs: number): Promise<ShrinkOutcome> {
  const steps = plannedChoices(t.failing.token).length;
  const originalPreemptions = original?.preemptions ?? steps;
  if (best !== null) {
    const r = await replay(t.scenario, t.driver, best.result.token, { era: t.era });
    if (sameFailure(r, kindsOf(t.failing.violations)) && r.token === best.result.token) {
      const shrunk = { token: r.token, violations: r.violations, preemptions: best.preemptions, steps: best.decisions.length, prefix: best.prefix, trace: r.trace, runs: runs + 1 };
      return { shrunk, originalPreemptions };
    }
    runs++;
  }
  const shrunk = { token: t.failing.token, violations: t.failing.violations, preemptions: originalPreemptions, steps, prefix: original?.prefix ?? steps, trace: t.failing.trace, runs };
  return { shrunk, originalPreemptions };
}
