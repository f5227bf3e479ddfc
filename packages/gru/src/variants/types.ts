import type { Era } from '@secondary-mmu/core-mm';
import type { GruDriverFactory } from '../factory.js';

/**
 * One GRU driver with exactly one injected bug, in the shape of the testkit's
 * `KillMatrixVariant` (so `checkKillMatrixVariant` takes it as it is): the scenario and
 * era that expose it and the violation kinds of which one must appear. `race` says
 * whether only some interleavings show it (fifo must pass, the search must catch it)
 * or any schedule that reaches the code does. Kernel counterpart: none — mutation
 * testing of the testkit against this driver.
 */
export interface GruVariant {
  /** The variant's name (also its driver's name). */
  readonly name: string;
  /** The one injected bug, in a sentence. */
  readonly bug: string;
  /** True when only some interleavings expose it. */
  readonly race: boolean;
  /** The buggy driver. */
  readonly driver: GruDriverFactory;
  /** The unmodified driver, which must pass the same scenario. */
  readonly reference: GruDriverFactory;
  /** A scenario of the testkit's catalogue or conformance suite, by name. */
  readonly scenario: string;
  /** The era the bug is exposed in. */
  readonly era: Era;
  /** Violation kinds that catch it: any one of them is a kill. */
  readonly expectedKinds: readonly string[];
  /** The explorer's schedule budget. */
  readonly schedules: number;
}
