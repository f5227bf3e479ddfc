import type { Era } from '@secondary-mmu/core-mm';
import type { DeviceLatency } from '../scenario/device-latency.js';
import type { ConformanceCapability } from './capability.js';

/** One case's outcome: `skipped` only by a capability (or era) the driver does not declare. */
export type ConformanceStatus = 'pass' | 'fail' | 'inconclusive' | 'skipped';

/** Why a case was skipped: the capability (`era` for an era not declared or not the scenario's) and a sentence. */
export interface ConformanceSkip {
  readonly capability: ConformanceCapability | 'era';
  readonly reason: string;
}

/** A violation found in one run, with the token that replays it (`runScenario(…, { era, replay: token })`). */
export interface ConformanceViolation {
  readonly kind: string;
  readonly message: string;
  readonly seed: number;
  readonly token: string;
}

/** One seed's run of a case. */
export interface ConformanceRun {
  readonly seed: number;
  readonly verdict: 'pass' | 'fail' | 'inconclusive';
  /** The replay token (empty when the run threw before finishing). */
  readonly token: string;
  readonly windowHits: Readonly<Record<string, number>>;
  readonly reasons: readonly string[];
}

/** One scenario × era × device latency. */
export interface ConformanceCase {
  readonly scenario: string;
  readonly era: Era;
  /** The device latency it ran at (see `RunScenarioOptions.deviceLatency`). */
  readonly latency: Required<DeviceLatency>;
  /** `scenario [era]`, with `@ 50 ns` when the latency is not zero: its name in reports and test titles. */
  readonly title: string;
  /**
   * `fail`: some seed failed; `skipped`: see `skip`; `inconclusive`: no seed failed but
   * no window was hit on any seed (or a step was skipped); `pass` otherwise.
   */
  readonly status: ConformanceStatus;
  /** Set when `status` is `skipped`. */
  readonly skip?: ConformanceSkip;
  /** Every violation of every seed, each with its replay token. */
  readonly violations: readonly ConformanceViolation[];
  /** Why the status is not `pass`, each prefixed by its seed where it has one. */
  readonly reasons: readonly string[];
  /** Window hits summed over the seeds. */
  readonly windowHits: Readonly<Record<string, number>>;
  /** Each seed's run (empty when skipped before running). */
  readonly runs: readonly ConformanceRun[];
}

/** What `checkDriver` returns. */
export interface ConformanceReport {
  readonly driver: string;
  readonly eras: readonly Era[];
  readonly seeds: readonly number[];
  /** The device latencies every case ran at. */
  readonly latencies: readonly Required<DeviceLatency>[];
  readonly cases: readonly ConformanceCase[];
  /** Cases by status. */
  readonly counts: Readonly<Record<ConformanceStatus, number>>;
  /** No case failed, and none is inconclusive unless `allowInconclusive`. */
  readonly ok: boolean;
}
