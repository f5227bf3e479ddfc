import type { Era } from '@secondary-mmu/core-mm';
import type { NotifierCallback, NotifierTrace } from '@secondary-mmu/mmu-notifier';
import { runScenario } from '@secondary-mmu/testkit';
import { addCounters, NO_COUNTERS } from '../drivers/counters.js';
import { catchDriverThrow, isDriverThrew } from '../driver-threw.js';
import type { DeviceCounters } from '../drivers/types.js';
import { runToken, type RunTarget } from '../run-target.js';
import { measuredFactory } from './measured-factory.js';

/** The callbacks that take translations away (the rest age, release, or close a range). */
const INVALIDATIONS: ReadonlySet<NotifierCallback> = new Set<NotifierCallback>(['invalidate_range_start', 'invalidate_page', 'interval_invalidate', 'rmap_invalidate_page', 'arch_invalidate_secondary_tlbs']);
const YOUNG: ReadonlySet<NotifierCallback> = new Set<NotifierCallback>(['clear_flush_young', 'clear_young', 'test_young']);

/** One kind of violation in a cell: how often, where first, and the token of the run. Kernel counterpart: none. */
export interface CellViolation {
  readonly kind: string;
  readonly count: number;
  /** The first one's call site, task and held locks. */
  readonly site: string;
  readonly task: string;
  readonly heldLocks: readonly string[];
  readonly message: string;
  /** The CLI token of the run that showed it first. */
  readonly token: string;
}

/**
 * One driver × scenario × era of `compare`: every figure measured from one run (seed 1,
 * the scenario's own schedule), with that run's token. Kernel counterpart: none.
 */
export interface CompareCell {
  readonly driver: string;
  readonly scenario: string;
  readonly era: Era;
  readonly verdict: 'pass' | 'fail' | 'inconclusive';
  /**
   * No violation and no step failure (a demonstration's missing expected violation does
   * not count against the driver, nor does a refusal: see `refused`).
   */
  readonly correct: boolean;
  /**
   * The driver refused what the scenario asks of its device with an errno (xpmem in
   * rfc-2008 exports anonymous memory only: a file mapping's fault is `EFAULT`), and every
   * other step failure follows from it: the scenario is outside what the driver does in
   * this era, which says nothing of its correctness. The errno's message, or null.
   */
  readonly refused: string | null;
  /** The scenario requires a capability the driver does not declare: measured, but not a conformance verdict. */
  readonly requiresUndeclared: readonly string[];
  /** Callbacks by kind (the notifier core's names), every kind the run saw. */
  readonly callbacks: Readonly<Record<string, number>>;
  /** Invalidating callbacks: range starts, page and interval invalidations, secondary TLB flushes, rfc-2008's rmap hook. */
  readonly invalidations: number;
  /** Virtual ns the callbacks took in all (a callback that never blocks takes 0). */
  readonly blockedNs: number;
  /** The longest invalidating callback, virtual ns. */
  readonly maxInvalidationNs: number;
  /** Aging callbacks that answered young. */
  readonly youngAnswers: number;
  /** Device accesses the trace saw. */
  readonly deviceAccesses: number;
  /** The driver's own counters (null where it does not count). */
  readonly counters: DeviceCounters;
  /** Pages freed by reclaim while the device was using them (the trace's device-hot evictions). */
  readonly deviceHotEvictions: number;
  /** Most page references and pins the device held at once through `DeviceMmu.getUserPages`. */
  readonly peakPinsHeld: number;
  /** Most references beyond the primary MMU's a page had while a device accessed it (a reference-holding driver shows 1 or more). */
  readonly peakExtraRefs: number;
  readonly violations: readonly CellViolation[];
  /** What the driver threw where no violation could record it (its `attach`): the run never started. Null otherwise. */
  readonly threw: string | null;
  /** `secondary-mmu replay <token>` reruns it; null when the driver threw before the run started. */
  readonly token: string | null;
}

/** The cell of a run the driver's throw prevented: no figure, not correct. */
function thrownCell(target: RunTarget, era: Era, requiresUndeclared: readonly string[], threw: string): CompareCell {
  return { driver: target.factory.name, scenario: target.scenario.scenario.name, era, verdict: 'fail', correct: false, refused: null, requiresUndeclared, callbacks: {}, invalidations: 0, blockedNs: 0, maxInvalidationNs: 0, youngAnswers: 0, deviceAccesses: 0, counters: NO_COUNTERS, deviceHotEvictions: 0, peakPinsHeld: 0, peakExtraRefs: 0, violations: [], threw, token: null };
}

/**
 * Run `target` in `era` once — seed 1, or the schedule `replay` (core-mm's token)
 * recorded — and measure it; `keep` is handed the run's trace (for a report's timeline).
 * Kernel counterpart: none.
 */
export async function measureCell(target: RunTarget, era: Era, requiresUndeclared: readonly string[], keep?: (trace: NotifierTrace) => void, replay?: string): Promise<CompareCell> {
  const { factory, probe } = measuredFactory(target.factory);
  const r = await catchDriverThrow(() => runScenario(target.scenario.scenario, factory, replay === undefined ? { era, seed: 1 } : { era, replay }));
  if (isDriverThrew(r)) return thrownCell(target, era, requiresUndeclared, r.threw);
  keep?.(r.trace);
  const token = runToken(target, era, r.token);
  const callbacks: Record<string, number> = {};
  let invalidations = 0;
  let blockedNs = 0;
  let maxInvalidationNs = 0;
  let youngAnswers = 0;
  for (const c of r.trace.callbacks) {
    callbacks[c.callback] = (callbacks[c.callback] ?? 0) + 1;
    const took = c.duration ?? 0;
    blockedNs += took;
    if (INVALIDATIONS.has(c.callback)) {
      invalidations++;
      maxInvalidationNs = Math.max(maxInvalidationNs, took);
    }
    if (YOUNG.has(c.callback) && c.result === true) youngAnswers++;
  }
  let counters = NO_COUNTERS;
  if (target.driver.counters !== undefined) for (const i of probe.instances) counters = addCounters(counters, target.driver.counters(i));
  const byKind = new Map<string, CellViolation>();
  for (const v of r.violations) {
    const seen = byKind.get(v.kind);
    byKind.set(v.kind, seen === undefined ? { kind: v.kind, count: 1, site: v.site, task: v.task, heldLocks: v.heldLocks, message: v.message.split('\n')[0]!, token } : { ...seen, count: seen.count + 1 });
  }
  const failures = r.verdict === 'fail' ? r.reasons.filter((x) => !x.startsWith('expected violation') && !x.startsWith('unexpected violation')) : [];
  const refused = refusal(failures);
  const stepFailed = failures.length > 0 && refused === null;
  return {
    driver: target.factory.name,
    scenario: target.scenario.scenario.name,
    era,
    verdict: r.verdict,
    correct: r.violations.length === 0 && !stepFailed,
    refused,
    requiresUndeclared,
    callbacks,
    invalidations,
    blockedNs,
    maxInvalidationNs,
    youngAnswers,
    deviceAccesses: r.trace.accesses.length,
    counters,
    deviceHotEvictions: r.trace.deviceHotEvictions().length,
    peakPinsHeld: probe.peakHolds,
    peakExtraRefs: probe.peakExtraRefs,
    violations: [...byKind.values()],
    threw: null,
    token,
  };
}

/** A device step refused with an errno (`EFAULT: ...`), what follows from it aside: that errno's message, else null. */
function refusal(failures: readonly string[]): string | null {
  const refused = failures.map((x) => /^task "[^"]+" step \d+ \(device-[a-z]+[^)]*\): (E[A-Z]+: .*)$/.exec(x)?.[1]).filter((x) => x !== undefined);
  if (refused.length === 0) return null;
  return failures.every((x) => /^task "[^"]+" step \d+ \(device-[a-z]+[^)]*\): E[A-Z]+: /.test(x) || x.includes('which will never complete')) ? refused[0]! : null;
}
