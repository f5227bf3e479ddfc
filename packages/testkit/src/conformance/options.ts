import type { Era } from '@secondary-mmu/core-mm';
import type { DeviceLatency } from '../scenario/device-latency.js';
import type { ConformanceCapabilities } from './capability.js';
import type { ConformanceScenario } from './scenario.js';

/** The seeds each case runs with by default: enough that every scenario hits its window with the reference drivers. */
export const DEFAULT_CONFORMANCE_SEEDS: readonly number[] = Object.freeze([1, 2, 3, 4]);

/**
 * The device latencies every case runs at by default: none, and 50 virtual ns per device
 * fault and per device access (a device waiting for a completion under its lock, as
 * mlx5 does). A correct driver's verdict must not depend on it. Kernel counterpart: none.
 */
export const DEFAULT_CONFORMANCE_LATENCIES: readonly DeviceLatency[] = Object.freeze([Object.freeze({ fault: 0, access: 0 }), Object.freeze({ fault: 50, access: 50 })]);

/** How to run the conformance suite. */
export interface CheckDriverOptions {
  /** The eras to report on (default: every era); those the driver does not declare are skipped. */
  readonly eras?: readonly Era[];
  /** The seeds each scenario × era runs with (default `DEFAULT_CONFORMANCE_SEEDS`). */
  readonly seeds?: readonly number[];
  /**
   * The scenarios (default `CONFORMANCE_SCENARIOS`): a name picks one of those, an
   * object adds one of your own.
   */
  readonly scenarios?: readonly (string | ConformanceScenario)[];
  /**
   * The device latencies each scenario × era runs at, each a case of its own (default
   * `DEFAULT_CONFORMANCE_LATENCIES`: 0 and 50 ns); see `RunScenarioOptions.deviceLatency`.
   */
  readonly latencies?: readonly DeviceLatency[];
  /** Override every scenario's schedule strategy. */
  readonly strategy?: 'fifo' | 'random' | 'pct';
  /** Inconclusive cases do not make the report not `ok` (default false). */
  readonly allowInconclusive?: boolean;
  /** Override what the factory declares (and say whether its instances prefetch). */
  readonly capabilities?: Partial<ConformanceCapabilities>;
  /**
   * Threads to run the cases on (default 1: the calling thread only). Above 1, the
   * cases are shared between `workers` worker threads, which run the built package and
   * import the driver by reference, so the driver must then be a `DriverReference`; the
   * calling thread hands them out. The report is the serial one whatever the count.
   */
  readonly workers?: number;
}
