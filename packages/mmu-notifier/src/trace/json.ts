import type { Era } from '@secondary-mmu/core-mm';
import { deviceHotEvictions } from './device-hot.js';
import type { AllocRecord, CallbackRecord, DeviceAccessRecord, LifecycleRecord, ScanRecord, TraceData } from './records.js';

/** A device-hot eviction in a {@link TraceJson}: records named by `seq` (scan) and `id` (accesses), not repeated. */
export interface DeviceHotEvictionJson {
  readonly pfn: number;
  readonly generation: number;
  readonly time: number;
  /** `seq` of the freeing scan. */
  readonly scan: number;
  /** `seq` of the previous scan of the page, or null. */
  readonly previousScan: number | null;
  /** `id`s of the device accesses that made the page hot. */
  readonly accesses: readonly number[];
}

/**
 * A trace as plain, stable data: what `NotifierTrace.toJSON()` returns and
 * `JSON.stringify` writes. Only numbers, strings, booleans and nulls, keys in a fixed
 * order, virtual times only — two runs of the same program with the same seed give
 * byte-identical JSON. Kernel counterpart: the text of `trace_pipe` / a `trace-cmd`
 * report, with the difference that nothing here depends on the host.
 */
export interface TraceJson extends TraceData {
  readonly format: 'secondary-mmu/notifier-trace';
  readonly version: 1;
  readonly era: Era;
  readonly seed: number;
  readonly callbacks: readonly CallbackRecord[];
  readonly accesses: readonly DeviceAccessRecord[];
  readonly lifecycle: readonly LifecycleRecord[];
  readonly scans: readonly ScanRecord[];
  readonly allocs: readonly AllocRecord[];
  /** {@link deviceHotEvictions} of the records, for readers that do not recompute it. */
  readonly deviceHot: readonly DeviceHotEvictionJson[];
}

/** Snapshot `trace` as a {@link TraceJson} (the records are copied: later returns do not change it). */
export function traceToJSON(trace: TraceData, machine: { readonly era: Era; readonly seed: number }): TraceJson {
  return {
    format: 'secondary-mmu/notifier-trace',
    version: 1,
    era: machine.era,
    seed: machine.seed,
    callbacks: trace.callbacks.map((r) => ({ ...r })),
    accesses: trace.accesses.map((r) => ({ ...r })),
    lifecycle: trace.lifecycle.map((r) => ({ ...r })),
    scans: trace.scans.map((r) => ({ ...r })),
    allocs: trace.allocs.map((r) => ({ ...r })),
    deviceHot: deviceHotEvictions(trace).map((e) => ({
      pfn: e.pfn,
      generation: e.generation,
      time: e.time,
      scan: e.scan.seq,
      previousScan: e.previousScan?.seq ?? null,
      accesses: e.accesses.map((a) => a.id),
    })),
  };
}
