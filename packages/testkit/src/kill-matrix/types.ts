import type { Era } from '@secondary-mmu/core-mm';
import type { DriverFactory } from '../contract.js';

/**
 * One entry of the kill matrix: a reference driver with exactly one deliberate bug, the
 * scenario and era that expose it, and the violation kinds of which at least one must
 * appear within `schedules` explored schedules. Kernel counterpart: none — mutation
 * testing of the checkers.
 */
export interface KillMatrixVariant {
  /** The variant's name (also its driver's name). */
  readonly name: string;
  /** The one bug, in a sentence. */
  readonly bug: string;
  /** The buggy driver. */
  readonly driver: DriverFactory;
  /** A name in `SCENARIO_CATALOGUE` or `CONFORMANCE_ONLY_SCENARIOS`, or a YAML text. */
  readonly scenario: string;
  /** The era the bug is exposed in. */
  readonly era: Era;
  /** Violation kinds that catch the bug: any one of them is a kill. */
  readonly expectedKinds: readonly string[];
  /** The explorer's schedule budget for the kill. */
  readonly schedules: number;
}
