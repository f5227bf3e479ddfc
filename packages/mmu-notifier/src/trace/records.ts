import type { LifecycleStep, NotifierCallback } from '../events.js';
import type { MmuNotifierEvent, ScanVerdict } from '@secondary-mmu/core-mm';

/** What a callback returned, as the trace keeps it: a number (`invalidate_range_start`), a boolean (young callbacks), or null (void, or it threw). */
export type CallbackResult = number | boolean | null;

/**
 * One driver callback, from call to return. Kernel counterpart: a function_graph
 * entry/exit pair on `__mmu_notifier_*` with the arguments a tracepoint would print
 * (the kernel has no mmu_notifier tracepoint class; KVM's `kvm_unmap_hva_range` and
 * `kvm_age_hva` come closest). Difference: times are virtual, the driver and the
 * return value are part of the record, and nothing is lost to a ring buffer.
 *
 * Every field is a plain value (ids and names, never object identities), so a record
 * serialises identically across identical runs.
 */
export interface CallbackRecord {
  /** Position among all records of the trace (callbacks, accesses, lifecycle steps, scans): their total order. */
  readonly seq: number;
  /** Index of this record in {@link TraceData.callbacks}. */
  readonly id: number;
  readonly callback: NotifierCallback;
  /** The subscriber's name: the driver. */
  readonly driver: string;
  /** Name of the calling task (the kernel's `current`). */
  readonly task: string;
  /** Per-machine id of the calling task. */
  readonly taskId: number;
  /** Id of the mm the callback is about, or null (the rfc-2008 page-keyed rmap hook). */
  readonly mm: number | null;
  /** Range `[start, end)`; -1/-1 for `release` and the page-keyed rmap hook. */
  readonly start: number;
  readonly end: number;
  /** Page of the rfc-2008 external-rmap hook, else -1. */
  readonly pfn: number;
  /** The range's event, or null for page and young callbacks and `release`; for `arch_invalidate_secondary_tlbs`, the event of the range whose PTE change the flush completes (the range open around it, or the one its task just closed), null when none. */
  readonly event: MmuNotifierEvent | null;
  readonly blockable: boolean;
  /** Virtual time of the call (ns). */
  readonly time: number;
  /** Virtual time of the return (ns); null while the callback runs (or if the trace was detached before it returned). */
  readonly returnTime: number | null;
  /** `returnTime - time` (ns): nonzero only when the callback suspended or charged a modelled cost. Null while running. */
  readonly duration: number | null;
  readonly result: CallbackResult;
  /** The thrown error's message when the callback threw (a `driver-error`), else null. */
  readonly error: string | null;
}

/**
 * One access of a device through a translation handle. No kernel counterpart: device
 * traffic is invisible to the kernel (an IOMMU/ATS trace would come closest).
 */
export interface DeviceAccessRecord {
  readonly seq: number;
  /** Index of this record in {@link TraceData.accesses}. */
  readonly id: number;
  readonly device: string;
  readonly task: string;
  readonly taskId: number;
  readonly mm: number | null;
  readonly address: number;
  readonly pfn: number;
  /** The frame generation the handle was issued for. */
  readonly generation: number;
  readonly write: boolean;
  readonly time: number;
}

/** One subscription lifecycle step (register, unlist, unregister, free). Kernel counterpart: none (no tracepoint there). */
export interface LifecycleRecord {
  readonly seq: number;
  readonly step: LifecycleStep;
  readonly driver: string;
  readonly mm: number | null;
  /** The task that made the step, when known. */
  readonly task: string | null;
  readonly taskId: number | null;
  readonly time: number;
}

/**
 * One reclaim pass over one page and its verdict, from core-mm's observation face.
 * Kernel counterpart: per-page, what `mm_vmscan_lru_shrink_inactive` counts per batch.
 */
export interface ScanRecord {
  readonly seq: number;
  readonly pfn: number;
  /** The page's generation when the pass began (a freed page's generation moves on after). */
  readonly generation: number;
  readonly verdict: ScanVerdict;
  readonly time: number;
}

/**
 * A frame handed out by the allocator (core-mm's `frame-alloc` event): a new page
 * begins, with the generation the frame already carries (generations move on at free).
 * Device-hot eviction needs it so that accesses made while the frame was free (already
 * use-after-free) are not charged to the page it holds next.
 */
export interface AllocRecord {
  readonly seq: number;
  readonly pfn: number;
  readonly generation: number;
  readonly time: number;
}

/** The records of a trace, each list in `seq` order: what queries, device-hot eviction and the Chrome export read. */
export interface TraceData {
  readonly callbacks: readonly CallbackRecord[];
  readonly accesses: readonly DeviceAccessRecord[];
  readonly lifecycle: readonly LifecycleRecord[];
  readonly scans: readonly ScanRecord[];
  readonly allocs: readonly AllocRecord[];
}
