import type { Era } from '@secondary-mmu/core-mm';
import type { CompareCell } from './cell.js';

/**
 * One driver in one era, answered from its cells' runs (never from what it declares).
 * Each answer carries the token of a run that shows it when the answer is yes (or, for
 * `correct: false`, the first failing run). Kernel counterpart: none.
 */
export interface SemanticsRow {
  readonly driver: string;
  readonly era: Era;
  /** A page it accessed had a reference beyond the primary MMU's, or its device held a pin. */
  readonly holdsPageRefs: boolean;
  /** An aging callback answered young. */
  readonly implementsAging: boolean;
  /** An invalidating callback took virtual time (it blocked), or a run reported might-sleep. */
  readonly invalidateSleeps: boolean;
  /** Every run in this era was correct (no violation, no step failure). */
  readonly correct: boolean;
  /** Runs it is answered from. */
  readonly runs: number;
  /** Token per answer that is yes (`correct`: of the first incorrect run). */
  readonly evidence: { readonly holdsPageRefs?: string; readonly implementsAging?: string; readonly invalidateSleeps?: string; readonly correct?: string };
}

/**
 * The semantics table: one row per driver and era, in the probes' order. Page references
 * are read from the probe alone (in a scenario another path — reclaim isolating the page,
 * a fault in flight — may hold one); aging, sleeping and correctness from the probe and
 * every cell. Kernel counterpart: none.
 */
export function semanticsTable(probes: readonly CompareCell[], cells: readonly CompareCell[]): SemanticsRow[] {
  const groups = new Map<string, CompareCell[]>();
  for (const c of [...probes, ...cells]) {
    const key = `${c.driver}\u0000${c.era}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  return [...groups.values()].map((group) => {
    // The first run that answers yes: its token (a run the driver's throw prevented has none: the empty string).
    const first = (test: (c: CompareCell) => boolean): string | undefined => {
      const c = group.find(test);
      return c === undefined ? undefined : (c.token ?? '');
    };
    const refs = first((c) => c.scenario === 'semantics-probe' && (c.peakPinsHeld > 0 || c.peakExtraRefs > 0));
    const aging = first((c) => c.youngAnswers > 0);
    const sleeps = first((c) => c.maxInvalidationNs > 0 || c.violations.some((v) => v.kind === 'might-sleep'));
    const wrong = first((c) => !c.correct);
    return {
      driver: group[0]!.driver,
      era: group[0]!.era,
      holdsPageRefs: refs !== undefined,
      implementsAging: aging !== undefined,
      invalidateSleeps: sleeps !== undefined,
      correct: wrong === undefined,
      runs: group.length,
      evidence: { ...(refs === undefined ? {} : { holdsPageRefs: refs }), ...(aging === undefined ? {} : { implementsAging: aging }), ...(sleeps === undefined ? {} : { invalidateSleeps: sleeps }), ...(wrong === undefined || wrong === '' ? {} : { correct: wrong }) },
    };
  });
}
