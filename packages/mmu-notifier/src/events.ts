import type { Mm, MmuNotifierEvent, Task } from '@secondary-mmu/core-mm';

/** The notifier callbacks the core dispatches, by their kernel names. */
export type NotifierCallback =
  | 'release'
  | 'invalidate_range_start'
  | 'invalidate_range_end'
  | 'invalidate_page'
  | 'clear_flush_young'
  | 'clear_young'
  | 'test_young'
  | 'arch_invalidate_secondary_tlbs'
  | 'interval_invalidate'
  | 'rmap_invalidate_page';

/** A subscription as listeners see it: the driver's name and the object it registered. */
export interface Subscriber {
  readonly name: string;
}

/**
 * One callback about to run. `start`/`end` is the range (`[address, address + PAGE_SIZE)`
 * for page hooks, -1/-1 for `release` and the page-keyed rmap hook); `pfn` is the page of
 * the rfc-2008 external-rmap hook, else -1.
 */
export interface CallbackCall {
  /** Per-machine serial number of the call. */
  readonly id: number;
  readonly callback: NotifierCallback;
  readonly subscriber: Subscriber;
  readonly task: Task;
  readonly mm: Mm | null;
  readonly start: number;
  readonly end: number;
  readonly pfn: number;
  readonly event: MmuNotifierEvent | null;
  readonly blockable: boolean;
  /** Virtual time when the callback was called (ns). */
  readonly time: number;
}

/** Subscription lifecycle steps listeners see. `unregistered` is when `mmuNotifierUnregister` (or an interval remove) returns. */
export type LifecycleStep = 'registered' | 'unlisted' | 'unregistered' | 'freed';

/**
 * One device access through a translation handle (reported by the coherence oracle's
 * device MMU): which device, the virtual address and frame it went to, the frame
 * generation the handle was issued for, read or write, and when.
 */
export interface DeviceAccess {
  readonly device: string;
  readonly task: Task;
  readonly mm: Mm | null;
  readonly address: number;
  readonly pfn: number;
  readonly generation: number;
  readonly write: boolean;
  readonly time: number;
}

/**
 * A listener on the notifier core: the event trace and the coherence oracle. `onReturn`
 * gets the callback's value (when it threw: the value the core used in its place —
 * 0, false or undefined — and the error) and the virtual time it returned at.
 */
export interface NotifierListener {
  onCall?(call: CallbackCall): void;
  onReturn?(call: CallbackCall, result: unknown, error: unknown, time: number): void;
  onLifecycle?(step: LifecycleStep, subscriber: Subscriber, mm: Mm | null, task: Task | null): void;
  onDeviceAccess?(access: DeviceAccess): void;
}
