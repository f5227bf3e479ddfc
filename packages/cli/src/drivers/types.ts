import type { Era } from '@secondary-mmu/core-mm';
import type { DriverFactory, DriverInstance, DriverReference } from '@secondary-mmu/testkit';

/**
 * What a driver reports of its own work that the event trace cannot see: device TLB
 * flushes, device faults (TLB misses, guest faults) and fault retries. Each is null
 * when the driver does not count it. Kernel counterpart: a driver's own statistics
 * (KVM's `remote_tlb_flush` and `pf_taken`, GRU's `tlbmiss`/`tlbdropin` counters).
 */
export interface DeviceCounters {
  readonly tlbFlushes: number | null;
  readonly deviceFaults: number | null;
  readonly retries: number | null;
}

/** Reads a driver instance's {@link DeviceCounters} (after a run). Kernel counterpart: none. */
export type CountersReader = (instance: DriverInstance) => Partial<DeviceCounters> | undefined;

/**
 * One buggy build of a driver, for `explore --variant`: the testkit's kill-matrix
 * entries and the drivers' `./variants` have this shape. Kernel counterpart: none —
 * mutation testing.
 */
export interface DriverVariant {
  /** The variant's name (also its driver's name). */
  readonly name: string;
  /** The one injected bug, in a sentence. */
  readonly bug: string;
  readonly driver: DriverFactory;
  /** The scenario and era that expose it (a name or a YAML text), when known. */
  readonly scenario?: string;
  readonly era?: Era;
}

/**
 * A driver the CLI can run: a built-in (see `BUILTIN_DRIVERS`) or a third-party module
 * given by path. Kernel counterpart: none (model machinery).
 */
export interface DriverEntry {
  /** The factory's name, as `--driver` takes it. */
  readonly name: string;
  /** A third-party module's absolute path (what a token records); absent for a built-in. */
  readonly path?: string;
  /** One line: what the driver models. */
  readonly description: string;
  /** Where worker threads import the factory from (`explore --workers`). */
  readonly reference: DriverReference;
  /** Import the factory. */
  load(): Promise<DriverFactory>;
  /** Import its buggy variants (empty when it has none). */
  variants(): Promise<readonly DriverVariant[]>;
  /** Its counters, when it keeps any. */
  readonly counters?: CountersReader;
  /**
   * A built-in shown for what went wrong in its era (the seed's claim it demonstrates):
   * its violations are the expected finding, so they do not make `compare` exit 1.
   */
  readonly historical?: string;
}
