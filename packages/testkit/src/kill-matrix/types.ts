import type { Era } from '@secondary-mmu/core-mm';
import type { DriverFactory } from '../contract.js';

/**
 * One entry of the kill matrix: a reference driver with exactly one injected fault, the
 * scenario and era that expose it, and the violation kinds of which at least one must
 * appear. Kernel counterpart: none — mutation testing of the checkers and of the
 * schedule search.
 *
 * `race` says which of the two the entry proves. A race (`true`) shows only when the
 * scheduler interleaves two paths inside a window: the scenario run under `fifo` with no
 * preemption must pass, and `explore` (random or PCT, `schedules` schedules) must catch
 * it — the entry proves the search. A deterministic bug (`false`) is caught on any
 * schedule that reaches the faulty code, `fifo` included — the entry proves the checker.
 */
export interface KillMatrixVariant {
  /** The variant's name (also its driver's name). */
  readonly name: string;
  /** The one injected fault, in a sentence. */
  readonly bug: string;
  /** True when only some interleavings expose the fault (see above). */
  readonly race: boolean;
  /** The buggy driver: {@link reference} with the one fault. */
  readonly driver: DriverFactory;
  /** The unmodified reference driver, which must `pass` the same scenario. */
  readonly reference: DriverFactory;
  /** A name in `SCENARIO_CATALOGUE` or `CONFORMANCE_ONLY_SCENARIOS`, or a YAML text. */
  readonly scenario: string;
  /** The era the fault is exposed in. */
  readonly era: Era;
  /** Violation kinds that catch the fault: any one of them is a kill. */
  readonly expectedKinds: readonly string[];
  /** The explorer's schedule budget (for the kill, and for the reference's `pass`). */
  readonly schedules: number;
}
