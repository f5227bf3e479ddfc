import type { CallbackRecord } from '@secondary-mmu/mmu-notifier';
import { xpmem } from '@secondary-mmu/xpmem-messaging';
import { devicesOf } from './devices.js';
import type { MigrationRecord, OomRecord } from './journal.js';
import type { SampleRun } from './run-sample.js';

/** Callbacks that take translations away (aging and `release` aside). */
const INVALIDATIONS = new Set(['invalidate_range_start', 'invalidate_page', 'interval_invalidate', 'arch_invalidate_secondary_tlbs', 'rmap_invalidate_page']);

/** One driver's callbacks over the run, as the trace recorded them. Kernel counterpart: none. */
export interface DriverFigures {
  readonly driver: string;
  readonly invalidations: number;
  /** Virtual ns spent inside invalidating callbacks, summed, and the longest one. */
  readonly blockedNs: number;
  readonly maxInvalidationNs: number;
  /** Aging callbacks (`clear_flush_young`, …) that answered young. */
  readonly youngAnswers: number;
  /** Non-blockable invalidations (the OOM reaper's) it refused (`false` / `-EAGAIN`). */
  readonly refusedNonBlockable: number;
  /** Invalidations per phase of the workload. */
  readonly byPhase: Readonly<Record<string, number>>;
}

/**
 * Everything the facts are decided from, measured from one run: the trace's callbacks per
 * driver, reclaim's verdicts and the device-hot evictions per device, the GRU's TLB
 * misses, xpmem's recall time, migration and the OOM kill. Kernel counterpart: none.
 */
export interface Measurements {
  /** The run's replay token (core-mm's schedule token): `runSample({ replay })` runs it again. */
  readonly token: string;
  /** The replay command of the run. */
  readonly replay: string;
  /** The violations the run recorded: kind and first line. */
  readonly violationList: readonly string[];
  readonly violations: number;
  /** The workload's phases, in order. */
  readonly phases: readonly string[];
  readonly drivers: readonly DriverFigures[];
  readonly reclaim: Readonly<Record<string, readonly string[]>>;
  /** Device-hot evictions per device: pages reclaim freed while that device was using them. */
  readonly deviceHotEvictions: Readonly<Record<string, number>>;
  readonly gruTlbMisses: number;
  readonly xpmemRecallNs: number;
  readonly migration: readonly MigrationRecord[];
  readonly oom: OomRecord | null;
}

/** Measure `sample`. Kernel counterpart: none. */
export function measure(sample: SampleRun, xpmemWrites = false): Measurements {
  const { host, journal, run } = sample;
  const devices = devicesOf(host);
  const phaseOf = (time: number): string => journal.phases.filter((p) => p.from <= time).at(-1)?.name ?? 'setup';
  const drivers = devices.map((d) => figures(d.driver, host.trace.callbacks.filter((c) => c.driver === d.driver || c.driver.startsWith(`${d.driver}-`)), phaseOf));
  const evictions: Record<string, number> = {};
  for (const d of devices) evictions[d.driver] = 0;
  for (const e of host.trace.deviceHotEvictions()) {
    for (const d of devices) if (e.accesses.some((a) => a.device === d.device.name)) evictions[d.driver]!++;
  }
  return {
    token: run.token,
    replay: `npm run sample -- ${xpmemWrites ? '--xpmem-writes ' : ''}--replay ${run.token}`,
    violations: run.violations.length,
    phases: journal.phases.map((p) => p.name),
    violationList: run.violations.map((v) => `${v.kind}: ${v.message.split('\n')[0]!}`),
    drivers,
    reclaim: journal.reclaim,
    deviceHotEvictions: evictions,
    gruTlbMisses: host.gru.stats.misses,
    xpmemRecallNs: xpmem.driverOn(host.machine).stats.recallNs,
    migration: journal.migration,
    oom: journal.oom,
  };
}

function figures(driver: string, callbacks: readonly CallbackRecord[], phaseOf: (time: number) => string): DriverFigures {
  let invalidations = 0;
  let blockedNs = 0;
  let maxInvalidationNs = 0;
  let youngAnswers = 0;
  let refusedNonBlockable = 0;
  const byPhase: Record<string, number> = {};
  for (const c of callbacks) {
    if (c.result === true && c.callback.includes('young')) youngAnswers++;
    if (!INVALIDATIONS.has(c.callback)) continue;
    invalidations++;
    blockedNs += c.duration ?? 0;
    maxInvalidationNs = Math.max(maxInvalidationNs, c.duration ?? 0);
    if (!c.blockable && (c.result === false || (typeof c.result === 'number' && c.result !== 0))) refusedNonBlockable++;
    const phase = phaseOf(c.time);
    byPhase[phase] = (byPhase[phase] ?? 0) + 1;
  }
  return { driver, invalidations, blockedNs, maxInvalidationNs, youngAnswers, refusedNonBlockable, byPhase };
}
