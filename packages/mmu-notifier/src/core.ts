import { closureOver, LockdepMap, SmmuError, Srcu, type Era, type Kernel, type Machine, type Mm, type MmuNotifierEvent, type Task } from '@secondary-mmu/core-mm';
import type { CallbackCall, DeviceAccess, LifecycleStep, NotifierCallback, NotifierListener, Subscriber } from './events.js';
import type { MmuNotifier } from './subscription.js';

/** Where `release` unlists a subscription relative to calling `->release`. */
export type ReleaseOrder = 'release-first' | 'unlist-first';

/** Per-machine options of the notifier core. */
export interface NotifierOptions {
  /**
   * Override the era's release ordering: `unlist-first` is the code from 2.6.27 until
   * 3ad3d901 (2012) and again in 3.9 (751efd86, undone by d34883d4 in 3.10): the
   * release race. `release-first` is today's. Default: `unlist-first` in the 2008 eras,
   * `release-first` in `v6`.
   */
  releaseOrder?: ReleaseOrder;
}

const KEY = '@secondary-mmu/mmu-notifier';

/**
 * The notifier core's per-machine state — what the kernel keeps globally in
 * mm/mmu_notifier.c: the SRCU that keeps subscriptions alive (3.7+; RCU in `v2.6.27`),
 * the `__mmu_notifier_invalidate_range_start_map` lockdep pseudo-lock, and the
 * listeners (trace, oracle). It lives on the machine (`machine.extension`), so an
 * ESM and a CJS copy of this package share it.
 *
 * Deliberate difference: `rfc-2008` walked its list under `rcu_read_lock()`, so as coded
 * no callback could sleep; the model follows the RFC's documented intent (range
 * callbacks may sleep when not `atomic`, the external-rmap hook may sleep) and keeps
 * subscriptions alive with SRCU there too.
 */
export class NotifierCore {
  /** The machine's concurrency kernel: its RCU, clock and report. */
  readonly kernel: Kernel;
  /** The machine's era: which callbacks exist and where they are called. */
  readonly era: Era;
  /** The global `srcu` of mm/mmu_notifier.c. */
  readonly srcu: Srcu;
  /** `__mmu_notifier_invalidate_range_start_map` (`v6`). */
  readonly startMap: LockdepMap;
  releaseOrder: ReleaseOrder;
  private readonly listeners: NotifierListener[] = [];
  private calls = 0;
  private pendingFrees: MmuNotifier[] = [];

  constructor(kernel: Kernel, era: Era) {
    this.kernel = kernel;
    this.era = era;
    this.srcu = new Srcu(kernel, 'mmu_notifier_srcu');
    this.startMap = new LockdepMap(kernel, 'mmu_notifier_invalidate_range_start');
    this.releaseOrder = era === 'v6' ? 'release-first' : 'unlist-first';
  }

  /** True when the lifetime read side is RCU (`v2.6.27`), which makes the task atomic. */
  get rcuLifetime(): boolean {
    return this.era === 'v2.6.27';
  }

  /** `srcu_read_lock(&srcu)` (`rcu_read_lock()` in `v2.6.27`). */
  readLock(task: Task): number {
    if (this.rcuLifetime) {
      this.kernel.rcu.readLock(task);
      return -1;
    }
    return this.srcu.readLock(task);
  }

  /**
   * The lifetime read side around a walk of the list for a callback that a core-mm call
   * site made: `srcu_read_lock` — but in `v2.6.27` nothing, because that walk's
   * `rcu_read_lock()` is the one core-mm's call site already holds around every callback
   * of that era (`mm/notify.ts`): taking it again here made every 2.6.27 callback run at
   * RCU depth 2 where the kernel ran it at depth 1. `release` and `unregister` are not
   * reached that way and use {@link NotifierCore.readLock}.
   */
  callbackReadLock(task: Task): number {
    return this.rcuLifetime ? -1 : this.srcu.readLock(task);
  }

  /** Ends {@link NotifierCore.callbackReadLock}. */
  callbackReadUnlock(task: Task, ticket: number): void {
    if (!this.rcuLifetime) this.srcu.readUnlock(task, ticket);
  }

  /** `srcu_read_unlock(&srcu, id)` (`rcu_read_unlock()` in `v2.6.27`). */
  readUnlock(task: Task, ticket: number): void {
    if (this.rcuLifetime) this.kernel.rcu.readUnlock(task);
    else this.srcu.readUnlock(task, ticket);
  }

  /** `synchronize_srcu(&srcu)` (`synchronize_rcu()` in `v2.6.27`): waits for every callback begun before. */
  synchronize(task: Task): void | Promise<void> {
    return this.rcuLifetime ? this.kernel.rcu.synchronize(task) : this.srcu.synchronize(task);
  }

  /** `call_srcu(mmu_notifier_free_rcu)`: free now when no callback runs, else at the next synchronize. */
  deferFree(task: Task, subscription: MmuNotifier): void {
    if (this.srcu.readers === 0) this.free(task, subscription);
    else this.pendingFrees.push(subscription);
  }

  /**
   * Take the frees `deferFree` has queued so far: their grace period starts now, so
   * free them (with {@link NotifierCore.runFrees}) after one `synchronize` begun now.
   */
  takeDeferredFrees(): MmuNotifier[] {
    const pending = this.pendingFrees;
    this.pendingFrees = [];
    return pending;
  }

  /** Free subscriptions whose grace period has passed. */
  runFrees(task: Task, subscriptions: readonly MmuNotifier[]): void {
    for (const s of subscriptions) this.free(task, s);
  }

  private free(task: Task, subscription: MmuNotifier): void {
    subscription.freed = true;
    const free = subscription.ops.freeNotifier;
    try {
      free?.call(subscription.ops, subscription);
    } catch (error) {
      this.kernel.recordViolation(task, 'driver-error', `${subscription.name}: free_notifier threw: ${error instanceof Error ? error.message : String(error)}`);
    }
    this.lifecycle('freed', subscription, subscription.mm, task);
  }

  /** Subscribe a listener; returns the unsubscribe function. */
  listen(listener: NotifierListener): () => void {
    this.listeners.push(listener);
    return closureOver(NotifierCore.unlistener, this, listener);
  }

  private static unlistener(this: void, core: NotifierCore, listener: NotifierListener): () => void {
    return () => core.unlisten(listener);
  }

  private unlisten(listener: NotifierListener): void {
    const i = this.listeners.indexOf(listener);
    if (i >= 0) this.listeners.splice(i, 1);
  }

  /** Tell listeners a lifecycle step happened. */
  lifecycle(step: LifecycleStep, subscriber: Subscriber, mm: Mm | null, task: Task | null): void {
    for (const l of this.listeners) l.onLifecycle?.(step, subscriber, mm, task);
  }

  /** Tell listeners a device accessed memory through a translation handle. */
  deviceAccess(access: DeviceAccess): void {
    for (const l of this.listeners) l.onDeviceAccess?.(access);
  }

  /** True when someone listens (emitters skip building events otherwise). */
  get listening(): boolean {
    return this.listeners.length > 0;
  }

  /**
   * Call one driver callback: tell listeners, catch a throw (a `driver-error` naming the
   * driver; `fallback` is returned instead), and check the callback returned holding
   * exactly the locks it was called with (lockdep's "lock held when returning").
   */
  invoke<T>(
    task: Task,
    subscriber: Subscriber,
    callback: NotifierCallback,
    where: { mm: Mm | null; start: number; end: number; pfn: number; event: MmuNotifierEvent | null; blockable: boolean },
    fallback: T,
    body: () => T | Promise<T>,
  ): T | Promise<T> {
    const held = task.heldLocks.length;
    const top = held > 0 ? task.heldLocks[held - 1] : undefined;
    let call: CallbackCall | null = null;
    if (this.listeners.length > 0) {
      call = { id: this.calls++, callback, subscriber, task, ...where, time: this.kernel.clock.now };
      for (const l of this.listeners) l.onCall?.(call);
    }
    const done = (value: T, error: unknown): T => {
      if (task.heldLocks.length !== held || (held > 0 && task.heldLocks[held - 1] !== top)) this.heldAtReturn(task, subscriber, callback, held);
      if (call !== null) for (const l of this.listeners) l.onReturn?.(call, value, error, this.kernel.clock.now);
      return value;
    };
    const failed = (error: unknown): T => {
      this.kernel.recordViolation(task, 'driver-error', `${subscriber.name}: ${callback} threw: ${error instanceof Error ? error.message : String(error)}`);
      // Listeners read "threw" as error !== undefined: a throw of undefined or null still counts.
      return done(fallback, error ?? new Error(`${callback} threw ${String(error)}`));
    };
    let result: T | Promise<T>;
    try {
      result = body();
    } catch (error) {
      return failed(error);
    }
    if (result instanceof Promise) return result.then((value) => done(value, undefined), failed);
    return done(result, undefined);
  }

  /** A kernel `WARN_ON` in the notifier core: recorded as a `notifier-warn` violation. */
  warn(task: Task | null, message: string): void {
    this.kernel.reportViolation(task, 'notifier-warn', message);
  }

  private heldAtReturn(task: Task, subscriber: Subscriber, callback: NotifierCallback, held: number): void {
    const now = task.describeHeld();
    const what =
      task.heldLocks.length > held
        ? `returned holding ${now.slice(held).join(', ')}`
        : task.heldLocks.length < held
          ? `returned having released ${held - task.heldLocks.length} lock(s) its caller held`
          : `returned with a different lock on top (${now[held - 1] ?? '-'}) than its caller held`;
    this.kernel.reportViolation(task, 'held-at-return', `${subscriber.name}: ${callback} ${what}`, now);
  }
}

/** The notifier core of `machine`, created on first use. */
export function notifierCore(machine: Machine): NotifierCore {
  return notifierCoreOf(machine, machine.era);
}

/**
 * The notifier core of the machine an mm lives on, reached through the mm's kernel and
 * era (core-mm's mm knows its kernel, not the machine above it).
 */
export function mmNotifierCore(mm: Mm): NotifierCore {
  return notifierCoreOf(mm.kernel, mm.era);
}

function notifierCoreOf(kernel: Kernel, era: Era): NotifierCore {
  return kernel.extension(KEY, (k) => new NotifierCore(k, era));
}

/** Set the notifier core's options for `machine` (before any registration, normally). */
export function configureNotifiers(machine: Machine, options: NotifierOptions): NotifierCore {
  const order = options.releaseOrder;
  if (order !== undefined && order !== 'release-first' && order !== 'unlist-first') throw new SmmuError('EINVAL', `releaseOrder must be "release-first" or "unlist-first", got "${String(order)}"`);
  const core = notifierCore(machine);
  if (order !== undefined) core.releaseOrder = order;
  return core;
}
