import type { Era } from '@secondary-mmu/core-mm';
import type { KvmSpteFactory } from '../factory.js';

/**
 * One driver with exactly one injected bug, with what exposes it — in the shape of the
 * testkit kill matrix's `KillMatrixVariant` (structurally: this package does not depend
 * on the testkit), so `checkKillMatrixVariant` from `@secondary-mmu/testkit/kill-matrix`
 * holds it to the matrix's rules. Kernel counterpart: none — mutation testing.
 */
export interface KvmSpteVariant {
  /** The variant's name (also its driver's name). */
  readonly name: string;
  /** The one injected bug, in a sentence. */
  readonly bug: string;
  /** True when only some interleavings expose it: `fifo` with no preemption passes, the explorer must find it. */
  readonly race: boolean;
  /** The buggy driver. */
  readonly driver: KvmSpteFactory;
  /** The correct driver, which must pass the same scenario. */
  readonly reference: KvmSpteFactory;
  /** A scenario name of the testkit's catalogue or conformance scenarios. */
  readonly scenario: string;
  /** The era it is exposed in. */
  readonly era: Era;
  /** Violation kinds that catch it: any one is a kill. */
  readonly expectedKinds: readonly string[];
  /** The explorer's schedule budget. */
  readonly schedules: number;
}
