import type { Era } from '@secondary-mmu/core-mm';
import type { DriverFactory } from '../../src/contract.js';
import { DEFAULT_CHOICE, plannedChoices, runGuided } from '../../src/explore/guided.js';
import { replay } from '../../src/explore/replay.js';
import type { Scenario } from '../../src/scenario/schema.js';

/** One non-default decision of a schedule, made the default, and what the run then did. */
export interface Removal {
  /** The decision's position in the schedule. */
  readonly at: number;
  /** Whether it was a preemption (else a non-first pick after a block or an exit). */
  readonly preemption: boolean;
  /** The violation kinds of the run without it (confirmed by a plain replay of its token). */
  readonly kinds: readonly string[];
  /** Whether that run still failed with every one of `original` kinds, without divergence. */
  readonly stillFails: boolean;
}

/**
 * Check a shrunk schedule's 1-minimality from its token alone, independently of the
 * shrinker's search: re-run the token steered by its own choices (it must reproduce:
 * same token), then, for each non-default decision, run the schedule that keeps every
 * other non-default decision's task and takes the default there — and everywhere the
 * token took it — and replay that run's token plainly, which must give the same token
 * and verdict.
 */
export async function removals(scenario: Scenario, driver: DriverFactory, era: Era, token: string, original: readonly string[]): Promise<Removal[]> {
  const base = await runGuided(scenario, driver, era, token, plannedChoices(token));
  if (base.result.token !== token) throw new Error('the steered re-run of the token did not reproduce it');
  const out: Removal[] = [];
  for (const [at, d] of base.decisions.entries()) {
    if (d.isDefault) continue;
    const plan = base.decisions.map((e, j) => (j === at || e.isDefault ? DEFAULT_CHOICE : e.chosen));
    const steered = await runGuided(scenario, driver, era, token, plan);
    const plain = await replay(scenario, driver, steered.result.token, { era });
    if (plain.token !== steered.result.token || plain.verdict !== steered.result.verdict) throw new Error(`removal ${at}: the plain replay differs from the steered run`);
    const kinds = [...new Set(plain.violations.map((v) => v.kind))].sort();
    const stillFails = plain.verdict === 'fail' && !kinds.includes('divergence') && original.every((k) => kinds.includes(k));
    out.push({ at, preemption: d.current >= 0 && d.chosen !== d.current, kinds, stillFails });
  }
  return out;
}
