import type { Machine, MmEvent, Task } from '@secondary-mmu/core-mm';
import { notifierCore } from '../core.js';
import type { CallbackCall, LifecycleStep, Subscriber } from '../events.js';
import { AgingRule } from './aging.js';
import { DeferredDowngrades } from './deferred-downgrade.js';
import type { JudgedTranslation } from './judged-translation.js';
import type { OracleViolationKind } from './kinds.js';
import { LateFlushRule } from './late-flush.js';
import { LeakRule } from './leaks.js';
import type { OracleContext } from './oracle-context.js';
import { judgeOutcome } from './outcome.js';
import { hex, PageMap } from './page-map.js';
import { PendingWrites } from './pending-writes.js';
import { primaryPfn } from './primary.js';
import { RevokedTranslationRule } from './revoked-translations.js';
import { baselineOnEstablish, baselineOnPte, baselineOnStore } from './stale-baseline.js';
import { UnsyncedWrites } from './unsynced-writes.js';
import { InvalidationWindows } from './windows.js';

/**
 * @internal The working part of a machine's `CoherenceOracle`: the devices, the live
 * handles by page, the rules and the listeners that feed them. `DeviceMmu` makes it and
 * reports to it, so it sits below `DeviceMmu` and knows handles only as `H`
 * (`DeviceTranslation`, see `oracleCoreOf`); `CoherenceOracle` is its public face.
 */
export class OracleCore<H extends JudgedTranslation> implements OracleContext {
  readonly machine: Machine;
  /** Id of the next handle (`DeviceTranslation.id`); the device MMU takes it. */
  nextId = 0;
  /** Deferred lost-write verdicts. */
  private readonly pending: PendingWrites;
  /** Write-protected handles of TLBs sharing the CPU page table, still waiting for their flush. */
  private readonly downgrades: DeferredDowngrades;
  private readonly deviceList: H['device'][] = [];
  private readonly bySub = new Map<Subscriber, H['device'][]>();
  private readonly index = new PageMap<H[]>();
  private liveCount = 0;
  private readonly windows: InvalidationWindows;
  private readonly unsynced: UnsyncedWrites;
  private readonly aging: AgingRule;
  private readonly leaks: LeakRule;
  private readonly lateFlush: LateFlushRule;
  private readonly revoked: RevokedTranslationRule;

  constructor(machine: Machine) {
    this.machine = machine;
    this.pending = new PendingWrites(this);
    this.downgrades = new DeferredDowngrades(this);
    this.windows = new InvalidationWindows(this);
    this.unsynced = new UnsyncedWrites(this);
    this.aging = new AgingRule(this);
    this.leaks = new LeakRule(this);
    this.lateFlush = new LateFlushRule(this);
    this.revoked = new RevokedTranslationRule(this);
    notifierCore(machine).listen({
      onCall: (call) => this.onCall(call),
      onReturn: (call, result, error, time) => this.onReturn(call, result, error, time),
      onLifecycle: (step, sub, mm, task) => this.onLifecycle(step, sub, mm, task),
    });
    machine.mem.observers.subscribe((event) => this.observe(event));
  }

  /** Every device MMU made on this machine, in creation order. */
  get devices(): readonly H['device'][] {
    return this.deviceList;
  }

  /** The device MMUs answering for `subscriber` (empty when none). */
  devicesFor(subscriber: Subscriber): readonly H['device'][] {
    return this.bySub.get(subscriber) ?? NONE;
  }

  /** A new device (from its constructor). */
  addDevice(device: H['device']): void {
    this.deviceList.push(device);
  }

  /** `device` now answers for `sub` too (`DeviceMmu` binds a pair once). */
  bind(device: H['device'], sub: Subscriber): void {
    const list = this.bySub.get(sub);
    if (list === undefined) this.bySub.set(sub, [device]);
    else list.push(device);
  }

  /** `device` no longer answers for `sub` (`DeviceMmu` unbinds only a bound pair). */
  unbind(device: H['device'], sub: Subscriber): void {
    const list = this.bySub.get(sub)!;
    list.splice(list.indexOf(device), 1);
    if (list.length === 0) this.bySub.delete(sub);
  }

  /** Some device answers for `sub`. */
  hasDevices(sub: Subscriber): boolean {
    return this.bySub.has(sub);
  }

  /** Some no-references device answers for `sub`: its invalidation windows are tracked. */
  judgesRules(sub: Subscriber): boolean {
    const list = this.bySub.get(sub);
    return list !== undefined && list.some((d) => d.driverClass === 'no-references');
  }

  /** Live handles (of every device) of the page at `address` in mm `mmId`, oldest first. */
  translationsAt(mmId: number, address: number): readonly H[] | undefined {
    return this.index.get(mmId, address);
  }

  /** A handle was just made: index it, judge the mapping. */
  established(task: Task, h: H): void {
    const list = this.index.get(h.mm.id, h.address);
    if (list === undefined) this.index.set(h.mm.id, h.address, [h]);
    else list.push(h);
    this.liveCount++;
    this.lateFlush.onEstablished(h);
    baselineOnEstablish(this, h);
    if (h.state.bornFree) {
      this.report(task, 'use-after-free', `${h.device.name}: translation of ${hex(h.address)} (mm ${h.mm.id}) established to pfn ${h.pfn}, a free frame`, [h.toString()]);
    }
    if (h.device.driverClass === 'no-references') this.windows.checkEstablish(task, h);
  }

  /** A handle was dropped. */
  dropped(h: H): void {
    // A live handle is indexed under its page until it is dropped, once.
    const list = this.index.get(h.mm.id, h.address)!;
    list.splice(list.indexOf(h), 1);
    if (list.length === 0) this.index.delete(h.mm.id, h.address);
    // Stryker disable next-line UpdateOperator: a count too high only skips the shortcut for no live handle
    this.liveCount--;
    this.lateFlush.onDropped(h);
    this.downgrades.onDropped(h);
    this.aging.onDropped(h);
  }

  /** Judge one access through `h`, before it happens. */
  judge(task: Task, h: H, write: boolean, value: number): void {
    if (h.device.driverClass === 'no-references') this.windows.checkAccess(task, h, write);
    judgeOutcome(this, this.pending, this.downgrades, task, h, write, value);
    this.aging.onAccess(h);
    if (!write) return this.revoked.onRead(task, h);
    this.unsynced.onWrite(task, h, value);
    // A write the process sees (the primary maps the handle's frame there) is a store for the other handles of the page.
    if (primaryPfn(h.mm, h.address) === h.pfn) baselineOnStore(this, h.pfn, h.mm.id, h.address);
  }

  /** Report a finding (`machine.reportViolation`: a strict machine throws). */
  report(task: Task | null, kind: OracleViolationKind, message: string, details?: readonly string[]): void {
    this.machine.reportViolation(task, kind, message, details);
  }

  private onCall(call: CallbackCall): void {
    this.windows.onCall(call);
    this.aging.onCall(call);
  }

  private onReturn(call: CallbackCall, result: unknown, error: unknown, time: number): void {
    this.windows.onReturn(call, result, time);
    this.aging.onReturn(call, result, error);
    this.downgrades.onReturn(call);
    this.revoked.onReturn(call, time);
    const mm = call.mm;
    if (mm === null) return;
    const sub = call.subscriber;
    if (call.callback === 'release') this.leaks.check(sub, mm, call.task, `after ${sub.name}'s release returned`);
    // Only the interval tree's exit pass invalidates with event RELEASE (its `release`).
    else if (call.event === 'release') this.leaks.check(sub, mm, call.task, `after ${sub.name}'s RELEASE invalidate returned (exit)`);
  }

  private onLifecycle(step: LifecycleStep, sub: Subscriber, mm: CallbackCall['mm'], task: Task | null): void {
    // A subscription just registered has no aging state: forgetting it is harmless.
    this.aging.forget(sub);
    if (mm === null) return;
    if (step === 'unregistered') this.leaks.check(sub, mm, task, `after ${sub.name}'s unregister returned`);
    else if (step === 'unlisted' && lastPut(sub)) this.leaks.check(sub, mm, task, `when its last mmu_notifier_put unlisted ${sub.name}`);
    // Only a put's deferred free frees a subscription; no translation may be made after the put.
    else if (step === 'freed') this.leaks.check(sub, mm, task, `when ${sub.name} was freed after its last mmu_notifier_put`);
  }

  private observe(e: MmEvent): void {
    switch (e.kind) {
      case 'pte': {
        this.pending.onPte(e);
        const handles = this.index.get(e.mm, e.address);
        if (handles === undefined) return;
        if (e.newPfn === e.oldPfn) {
          this.downgrades.onPte(e, handles);
          return;
        }
        this.lateFlush.onPte(e, handles);
        baselineOnPte(e, handles);
        return;
      }
      case 'store':
        // Stryker disable next-line ConditionalExpression,EqualityOperator: a shortcut (with no live handle the walk marks nothing); always false is killed, but shares the mutator
        if (this.liveCount > 0) baselineOnStore(this, e.pfn, e.mm, e.address);
        return;
      case 'frame-free':
        this.lateFlush.onFrameFree(e);
        return;
      // Stryker disable next-line StringLiteral: the unsynced-write rule's frame-alloc case only frees memory (see unsynced-writes.ts)
      case 'frame-alloc':
      case 'clean':
      case 'scan':
        this.unsynced.onEvent(e);
        return;
      // Stryker disable next-line ConditionalExpression: every other kind is ignored, with or without this case
      default:
        return;
    }
  }
}

const NONE: readonly never[] = [];

/** `sub` was unlisted by its last `mmuNotifierPut` (no users left; unregister and exit unlist with users). */
function lastPut(sub: Subscriber): boolean {
  return (sub as { users?: unknown }).users === 0;
}
