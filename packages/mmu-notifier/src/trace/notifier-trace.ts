import { closureOver, type Machine, type MmEvent, type Task } from '@secondary-mmu/core-mm';
import { notifierCore } from '../core.js';
import type { CallbackCall, DeviceAccess, LifecycleStep, NotifierListener, Subscriber } from '../events.js';
import { toChromeTrace, type ChromeTrace } from './chrome.js';
import { deviceHotEvictions, type DeviceHotEviction } from './device-hot.js';
import { traceToJSON, type TraceJson } from './json.js';
import { matchCallback, matchDeviceAccess, type CallbackQuery, type DeviceAccessQuery } from './query.js';
import type { AllocRecord, CallbackRecord, CallbackResult, DeviceAccessRecord, LifecycleRecord, ScanRecord, TraceData } from './records.js';

/** How a {@link NotifierTrace} records. */
export interface NotifierTraceOptions {
  /** Record reclaim scans and frame allocations from core-mm's observation face (default true). Device-hot evictions need them. */
  readonly scans?: boolean;
}

type Open<T> = { -readonly [K in keyof T]: T[K] };

function resultOf(value: unknown): CallbackResult {
  return typeof value === 'number' || typeof value === 'boolean' ? value : null;
}

function messageOf(error: unknown): string | null {
  switch (typeof error) {
    case 'undefined':
      return null;
    case 'string':
      return error;
    case 'number':
    case 'boolean':
    case 'bigint':
    case 'symbol':
      return error.toString();
    case 'object':
      if (error !== null && 'message' in error && typeof error.message === 'string') return error.message;
      return error === null ? 'null' : '[object]';
    default:
      return typeof error;
  }
}

/**
 * The event trace of one machine's MMU notifiers: every driver callback (with its
 * virtual duration and result), every device access, every subscription lifecycle
 * step and every reclaim scan, in one total order (`seq`). It listens on the notifier
 * core (`notifierCore(machine).listen`) and on core-mm's observation face
 * (`machine.mem.observers`); {@link NotifierTrace.detach} removes both.
 *
 * Kernel counterpart: tracepoints and ftrace (function_graph on `__mmu_notifier_*`,
 * KVM's `kvm_unmap_hva_range`/`kvm_age_hva`, vmscan's `mm_vmscan_*`). Deliberately
 * different: time is the machine's virtual clock, so the same program and seed give a
 * byte-identical trace; records name drivers and tasks by name and id, never by object;
 * nothing is dropped (an unbounded list, not a ring buffer — attach it to bounded runs);
 * device accesses, invisible to the kernel, are traced too. Several traces may attach to
 * one machine; a trace belongs to its creator, not to the machine.
 */
export class NotifierTrace implements TraceData {
  readonly machine: Machine;
  private readonly callbackList: CallbackRecord[] = [];
  private readonly accessList: DeviceAccessRecord[] = [];
  private readonly lifecycleList: LifecycleRecord[] = [];
  private readonly scanList: ScanRecord[] = [];
  private readonly allocList: AllocRecord[] = [];
  private readonly running = new Map<CallbackCall, Open<CallbackRecord>>();
  private readonly stops: (() => void)[] = [];
  private seq = 0;

  private constructor(machine: Machine, options: NotifierTraceOptions) {
    this.machine = machine;
    // closureOver: a copy of the machine (a testkit's world template) makes these again over the copy of this trace.
    this.stops.push(notifierCore(machine).listen(closureOver(NotifierTrace.listener, this)));
    if (options.scans !== false) this.stops.push(machine.mem.observers.subscribe(closureOver(NotifierTrace.observer, this)));
  }

  private static listener(this: void, trace: NotifierTrace): NotifierListener {
    return {
      onCall: (call) => trace.call(call),
      onReturn: (call, result, error, time) => trace.return(call, result, error, time),
      onLifecycle: (step, subscriber, mm, task) => trace.step(step, subscriber, mm === null ? null : mm.id, task),
      onDeviceAccess: (access) => trace.access(access),
    };
  }

  private static observer(this: void, trace: NotifierTrace): (event: MmEvent) => void {
    return (event) => trace.observe(event);
  }

  /** Start tracing `machine`: from now on, until {@link NotifierTrace.detach}. */
  static attach(machine: Machine, options: NotifierTraceOptions = {}): NotifierTrace {
    return new NotifierTrace(machine, options);
  }

  /** True until {@link NotifierTrace.detach}. */
  get attached(): boolean {
    return this.stops.length > 0;
  }

  /** Stop listening; the records stay. A callback still running then keeps `returnTime: null`. */
  detach(): void {
    for (const stop of this.stops.splice(0)) stop();
    this.running.clear();
  }

  /** Callback records, in call order. */
  get callbacks(): readonly CallbackRecord[] {
    return this.callbackList;
  }

  /** Device access records, in order. */
  get accesses(): readonly DeviceAccessRecord[] {
    return this.accessList;
  }

  /** Subscription lifecycle steps, in order. */
  get lifecycle(): readonly LifecycleRecord[] {
    return this.lifecycleList;
  }

  /** Frame allocations, in order (empty when attached with `scans: false`): where each page's life begins. */
  get allocs(): readonly AllocRecord[] {
    return this.allocList;
  }

  /** Reclaim scans, in order (empty when attached with `scans: false`). */
  get scans(): readonly ScanRecord[] {
    return this.scanList;
  }

  /** The callbacks matching `query`, in call order. */
  findCallbacks(query: CallbackQuery = {}): CallbackRecord[] {
    return this.callbackList.filter((r) => matchCallback(r, query));
  }

  /** The device accesses matching `query`, in order. */
  findAccesses(query: DeviceAccessQuery = {}): DeviceAccessRecord[] {
    return this.accessList.filter((r) => matchDeviceAccess(r, query));
  }

  /** The device-hot evictions so far ({@link deviceHotEvictions}). */
  deviceHotEvictions(): DeviceHotEviction[] {
    return deviceHotEvictions(this);
  }

  /** A stable, plain snapshot ({@link TraceJson}); `JSON.stringify(trace)` uses it. */
  toJSON(): TraceJson {
    return traceToJSON(this, this.machine);
  }

  /** The trace in Chrome trace-event format, for Perfetto or chrome://tracing ({@link toChromeTrace}). */
  toChromeTrace(): ChromeTrace {
    return toChromeTrace(this, this.machine);
  }

  private call(call: CallbackCall): void {
    const record: Open<CallbackRecord> = {
      seq: this.seq++,
      id: this.callbackList.length,
      callback: call.callback,
      driver: call.subscriber.name,
      task: call.task.name,
      taskId: call.task.id,
      mm: call.mm === null ? null : call.mm.id,
      start: call.start,
      end: call.end,
      pfn: call.pfn,
      event: call.event,
      blockable: call.blockable,
      time: call.time,
      returnTime: null,
      duration: null,
      result: null,
      error: null,
    };
    this.callbackList.push(record);
    this.running.set(call, record);
  }

  private return(call: CallbackCall, result: unknown, error: unknown, time: number): void {
    const record = this.running.get(call);
    if (record === undefined) return; // called before the trace attached
    this.running.delete(call);
    record.returnTime = time;
    record.duration = time - record.time;
    record.result = error === undefined ? resultOf(result) : null;
    record.error = messageOf(error);
  }

  private step(step: LifecycleStep, subscriber: Subscriber, mm: number | null, task: Task | null): void {
    this.lifecycleList.push({ seq: this.seq++, step, driver: subscriber.name, mm, task: task?.name ?? null, taskId: task?.id ?? null, time: this.machine.clock.now });
  }

  private access(a: DeviceAccess): void {
    this.accessList.push({
      seq: this.seq++,
      id: this.accessList.length,
      device: a.device,
      task: a.task.name,
      taskId: a.task.id,
      mm: a.mm === null ? null : a.mm.id,
      address: a.address,
      pfn: a.pfn,
      generation: a.generation,
      write: a.write,
      time: a.time,
    });
  }

  private observe(event: MmEvent): void {
    if (event.kind === 'scan') this.scanList.push({ seq: this.seq++, pfn: event.pfn, generation: event.generation, verdict: event.verdict, time: event.time });
    else if (event.kind === 'frame-alloc') this.allocList.push({ seq: this.seq++, pfn: event.pfn, generation: event.generation, time: event.time });
  }
}
