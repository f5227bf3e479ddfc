import type { Machine, MmEvent, Task, Violation } from '@secondary-mmu/core-mm';
import { notifierCore } from '../core.js';
import type { CallbackCall, LifecycleStep, Subscriber } from '../events.js';
import { AgingRule } from './aging.js';
import { DeferredDowngrades } from './deferred-downgrade.js';
import type { DeviceMmu } from './device-mmu.js';
import { ORACLE_VIOLATION_KINDS, type OracleViolationKind } from './kinds.js';
import { LateFlushRule } from './late-flush.js';
import { LeakRule } from './leaks.js';
import { judgeOutcome } from './outcome.js';
import { hex, PageMap } from './page-map.js';
import { PendingWrites } from './pending-writes.js';
import { primaryPfn } from './primary.js';
import { baselineOnEstablish, baselineOnPte, baselineOnStore } from './stale-baseline.js';
import type { DeviceTranslation } from './translation.js';
import { UnsyncedWrites } from './unsynced-writes.js';
import { InvalidationWindows } from './windows.js';

const KEY = '@secondary-mmu/mmu-notifier:oracle';
const KINDS: ReadonlySet<string> = new Set(ORACLE_VIOLATION_KINDS);

/**
 * The coherence oracle of one machine: it judges every device access made through a
 * {@link DeviceMmu} twice — by outcome (use-after-free, stale read, lost write, write
 * through a read-only primary; plus aging answers and leaks, for every driver in every
 * era) and by the rules of the device's driver class (accesses and new translations
 * inside invalidation windows for drivers without references, late flushes for TLBs
 * sharing the CPU page table) — and reports each finding as a machine violation of a
 * stable kind ({@link ORACLE_VIOLATION_KINDS}) naming the device, address, pfn and
 * what happened. It listens to the notifier core (callbacks and their returns,
 * lifecycle) and to core-mm's observation face (PTE changes, CPU stores, frame frees
 * and allocations, clean epochs, reclaim scans). Made on first use by
 * {@link coherenceOracle}; its state lives on the machine.
 *
 * Every finding goes through `machine.reportViolation`, so a strict machine throws at
 * the first — from the device access, or, like might-sleep and lockdep findings, from
 * inside the core-mm operation or callback return where the oracle noticed it (a PTE
 * change, a frame free, a scan, `release` returning).
 *
 * Kernel counterpart: none — the kernel cannot see device accesses. It checks the
 * contract of `include/linux/mmu_notifier.h` and `Documentation/mm/mmu_notifier.rst`.
 */
export class CoherenceOracle {
  readonly machine: Machine;
  /** @internal Id of the next handle ({@link DeviceTranslation.id}). */
  nextId = 0;
  /** @internal Deferred lost-write verdicts. */
  readonly pending: PendingWrites;
  /** @internal Write-protected handles of TLBs sharing the CPU page table, still waiting for their flush. */
  readonly downgrades: DeferredDowngrades;
  private readonly deviceList: DeviceMmu[] = [];
  private readonly bySub = new Map<Subscriber, DeviceMmu[]>();
  private readonly index = new PageMap<DeviceTranslation[]>();
  private liveCount = 0;
  private readonly windows: InvalidationWindows;
  private readonly unsynced: UnsyncedWrites;
  private readonly aging: AgingRule;
  private readonly leaks: LeakRule;
  private readonly lateFlush: LateFlushRule;

  constructor(machine: Machine) {
    this.machine = machine;
    this.pending = new PendingWrites(this);
    this.downgrades = new DeferredDowngrades(this);
    this.windows = new InvalidationWindows(this);
    this.unsynced = new UnsyncedWrites(this);
    this.aging = new AgingRule(this);
    this.leaks = new LeakRule(this);
    this.lateFlush = new LateFlushRule(this);
    notifierCore(machine).listen({
      onCall: (call) => this.onCall(call),
      onReturn: (call, result, error, time) => this.onReturn(call, result, error, time),
      onLifecycle: (step, sub, mm, task) => this.onLifecycle(step, sub, mm, task),
    });
    machine.mem.observers.subscribe((event) => this.observe(event));
  }

  /** Every device MMU made on this machine, in creation order. */
  get devices(): readonly DeviceMmu[] {
    return this.deviceList;
  }

  /** The device MMUs answering for `subscriber` (empty when none). */
  devicesFor(subscriber: Subscriber): readonly DeviceMmu[] {
    return this.bySub.get(subscriber) ?? NONE;
  }

  /** The oracle's findings so far: the machine's violations of the oracle's kinds, in order. */
  violations(): Violation[] {
    return this.machine.report.violations.filter((v) => KINDS.has(v.kind));
  }

  /** @internal A new device (from its constructor). */
  addDevice(device: DeviceMmu): void {
    this.deviceList.push(device);
  }

  /** @internal `device` now answers for `sub` (null: none). */
  bind(device: DeviceMmu, sub: Subscriber | null): void {
    const old = device.subscription;
    if (old !== null) {
      const list = this.bySub.get(old);
      if (list !== undefined) {
        list.splice(list.indexOf(device), 1);
        if (list.length === 0) this.bySub.delete(old);
      }
    }
    if (sub === null) return;
    const list = this.bySub.get(sub);
    if (list === undefined) this.bySub.set(sub, [device]);
    else if (!list.includes(device)) list.push(device);
  }

  /** @internal Some device answers for `sub`. */
  hasDevices(sub: Subscriber): boolean {
    return this.bySub.has(sub);
  }

  /** @internal Some no-references device answers for `sub`: its invalidation windows are tracked. */
  judgesRules(sub: Subscriber): boolean {
    const list = this.bySub.get(sub);
    return list !== undefined && list.some((d) => d.driverClass === 'no-references');
  }

  /** @internal Live handles (of every device) of the page at `address` in mm `mmId`, oldest first. */
  translationsAt(mmId: number, address: number): readonly DeviceTranslation[] | undefined {
    return this.index.get(mmId, address);
  }

  /** @internal A handle was just made: index it, judge the mapping. */
  established(task: Task, h: DeviceTranslation): void {
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

  /** @internal A handle was dropped. */
  dropped(h: DeviceTranslation): void {
    const list = this.index.get(h.mm.id, h.address);
    if (list !== undefined) {
      const i = list.indexOf(h);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.index.delete(h.mm.id, h.address);
    }
    this.liveCount--;
    this.lateFlush.onDropped(h);
    this.downgrades.onDropped(h);
    this.aging.onDropped(h);
  }

  /** @internal Judge one access through `h`, before it happens. */
  judge(task: Task, h: DeviceTranslation, write: boolean, value: number): void {
    if (h.device.driverClass === 'no-references') this.windows.checkAccess(task, h, write);
    judgeOutcome(this, task, h, write, value);
    this.aging.onAccess(h);
    if (!write) return;
    this.unsynced.onWrite(task, h, value);
    // A write the process sees (the primary maps the handle's frame there) is a store for the other handles of the page.
    if (primaryPfn(h.mm, h.address) === h.pfn) baselineOnStore(this, h.pfn, h.mm.id, h.address);
  }

  /** @internal Report a finding (`machine.reportViolation`: a strict machine throws). */
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
    const mm = call.mm;
    if (mm === null) return;
    const sub = call.subscriber;
    if (call.callback === 'release') this.leaks.check(sub, mm, call.task, `after ${sub.name}'s release returned`);
    else if (call.callback === 'interval_invalidate' && call.event === 'release') this.leaks.check(sub, mm, call.task, `after ${sub.name}'s RELEASE invalidate returned (exit)`);
  }

  private onLifecycle(step: LifecycleStep, sub: Subscriber, mm: CallbackCall['mm'], task: Task | null): void {
    if (step === 'registered') return;
    this.aging.forget(sub);
    if (mm === null) return;
    if (step === 'unregistered') this.leaks.check(sub, mm, task, `after ${sub.name}'s unregister returned`);
    else if (step === 'unlisted' && lastPut(sub)) this.leaks.check(sub, mm, task, `when its last mmu_notifier_put unlisted ${sub.name}`);
  }

  private observe(e: MmEvent): void {
    switch (e.kind) {
      case 'pte': {
        if (this.pending.size > 0) this.pending.onPte(e);
        if (this.liveCount === 0) return;
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
        if (this.liveCount > 0) baselineOnStore(this, e.pfn, e.mm, e.address);
        return;
      case 'frame-free':
        this.lateFlush.onFrameFree(e);
        return;
      case 'frame-alloc':
      case 'clean':
      case 'scan':
        this.unsynced.onEvent(e);
        return;
      default:
        return;
    }
  }
}

const NONE: readonly DeviceMmu[] = [];

/** `sub` was unlisted by its last `mmuNotifierPut` (no users left; unregister and exit unlist with users). */
function lastPut(sub: Subscriber): boolean {
  return (sub as { users?: unknown }).users === 0;
}

/** The coherence oracle of `machine`, made (and listening) on first use. Kernel counterpart: none. */
export function coherenceOracle(machine: Machine): CoherenceOracle {
  return machine.extension(KEY, (m) => new CoherenceOracle(m));
}
