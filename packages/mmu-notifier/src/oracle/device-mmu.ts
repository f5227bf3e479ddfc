import {
  andThen,
  deviceWalkerMarkPte,
  getUserPages,
  PAGE_SIZE,
  PG,
  putPage,
  SmmuError,
  TASK_SIZE,
  unpinUserPage,
  type GupFlags,
  type Machine,
  type Mm,
  type Task,
} from '@secondary-mmu/core-mm';
import { notifierCore, type NotifierCore } from '../core.js';
import { subscriptionCovers } from './covers.js';
import { checkOptions, checkSubscription, type DeviceMmuOptions, type DeviceSubscription } from './device-options.js';
import type { DriverClass } from './driver-class.js';
import type { TranslationState } from './judged-translation.js';
import { OracleCore } from './oracle-core.js';
import type { PageHold } from './page-hold.js';
import { hex } from './page-map.js';

/**
 * The MMU of one device (one driver instance): the only issuer of
 * {@link DeviceTranslation} handles, through which alone the device reads and writes
 * memory. Every access is a `device` preemption point, is judged by the machine's
 * {@link CoherenceOracle} (by outcome, and by the rules of the device's
 * {@link DriverClass}), and is reported to the notifier core's listeners
 * (`deviceAccess`: the event trace's device-hot evictions). Page references and pins
 * the driver takes through {@link DeviceMmu.getUserPages} are counted per device, so
 * the leak rule can name their owner.
 *
 * A device write sets the frame's content word and the handle's dirty bit, never
 * `PG_dirty`: like hardware behind a secondary MMU, propagating dirty state to the page
 * is the driver's job (`setPageDirty`, or `unpinUserPage(…, { dirty: true })`).
 *
 * Kernel counterpart: the device side of a secondary MMU — KVM's shadow/EPT page
 * tables, the GRU TLB, test_hmm's mirror table, an IOMMU's IOTLB. The kernel cannot see
 * device accesses; the model can, which is what makes the oracle possible.
 */
export class DeviceMmu {
  readonly machine: Machine;
  readonly name: string;
  readonly driverClass: DriverClass;
  private readonly subs: DeviceSubscription[] = [];
  private readonly oracle: OracleCore<DeviceTranslation>;
  private readonly core: NotifierCore;
  private readonly live = new Set<DeviceTranslation>();
  private readonly held: PageHold[] = [];

  constructor(machine: Machine, options: DeviceMmuOptions) {
    checkOptions(options);
    const { name, driverClass } = options;
    const sub = options.subscription ?? null;
    this.machine = machine;
    this.name = name;
    this.driverClass = driverClass;
    this.oracle = oracleCoreOf(machine);
    this.core = notifierCore(machine);
    this.oracle.addDevice(this);
    if (sub !== null) this.addSubscription(sub);
  }

  /**
   * The subscription this device answers for when it has one (its first when it has
   * several: see {@link DeviceMmu.subscriptions}), or null.
   */
  get subscription(): DeviceSubscription | null {
    return this.subs[0] ?? null;
  }

  /** Every subscription this device answers for, in the order they were added. Kernel counterpart: none (a driver's list of its notifiers, e.g. an ODP context's memory regions). */
  get subscriptions(): readonly DeviceSubscription[] {
    return this.subs.slice();
  }

  /**
   * Make `subscription` the only one this device answers for (null: none) — the
   * one-subscription form of {@link DeviceMmu.addSubscription}, for drivers that make
   * it after the device, e.g. through `allocNotifier`. EINVAL (nothing changed) for
   * something that is not a subscription.
   */
  answerFor(subscription: DeviceSubscription | null): void {
    checkSubscription(this.name, subscription);
    for (const old of this.subs.splice(0)) this.oracle.unbind(this, old);
    if (subscription !== null) this.addSubscription(subscription);
  }

  /**
   * The device answers for `subscription` too: a driver with one interval notifier per
   * registered region (RDMA ODP's shape), or one notifier per mm it mirrors. Each
   * translation is judged against the subscription covering it (see
   * {@link DeviceMmu.covering}): the rules by class, aging and leaks. EINVAL (nothing
   * changed) for something that is not a subscription or one already added.
   * Kernel counterpart: none — a driver's own bookkeeping (mlx5's `umem_odp->private`
   * naming the MR an interval notifier belongs to).
   */
  addSubscription(subscription: DeviceSubscription): void {
    checkSubscription(this.name, subscription);
    if (subscription === null) throw new SmmuError('EINVAL', `${this.name}: addSubscription(null): no subscription`);
    if (this.subs.includes(subscription)) throw new SmmuError('EINVAL', `${this.name}: already answers for ${subscription.name}`);
    this.subs.push(subscription);
    this.oracle.bind(this, subscription);
  }

  /** The device no longer answers for `subscription` (a region deregistered). EINVAL (nothing changed) unless it did. Kernel counterpart: none. */
  removeSubscription(subscription: DeviceSubscription): void {
    const i = this.subs.indexOf(subscription);
    if (i < 0) throw new SmmuError('EINVAL', `${this.name}: removeSubscription: ${nameOf(subscription)} is not one of its subscriptions`);
    this.subs.splice(i, 1);
    this.oracle.unbind(this, subscription);
  }

  /**
   * The subscription that answers for a translation of the page at `address` of `mm`:
   * the first of {@link DeviceMmu.subscriptions} covering it — a classic notifier
   * covers its whole mm, an interval notifier its interval on its mm (one not yet
   * registered covers everything) — or null when none does (no invalidation would
   * reach such a translation). Kernel counterpart: none.
   */
  covering(mm: Mm, address: number): DeviceSubscription | null {
    for (const sub of this.subs) if (subscriptionCovers(sub, mm, address)) return sub;
    return null;
  }

  /**
   * Establish a translation of virtual `address` (page aligned) of `mm` to frame `pfn`,
   * read-only unless `writable`: the handle records the frame's current generation and
   * the virtual time. The oracle judges the mapping at once: a no-references device
   * mapping inside an invalidation window is `map-in-invalidation`; a free frame is
   * `use-after-free` (the handle is issued all the same, as hardware would take it).
   * The driver is trusted for `pfn` and `writable` (as hardware trusts its driver):
   * a wrong pfn or permission surfaces as an outcome when the device accesses it.
   *
   * EINVAL (nothing changed) for an address that is not a page-aligned user address,
   * a pfn that is not a frame, an exited mm, or an mm none of the device's
   * subscriptions is registered on (a device with no subscription, or one not yet
   * registered, takes any mm).
   *
   * Kernel counterpart: installing a secondary PTE — KVM's `mmu_set_spte`, GRU's
   * `gru_insert_tlb` (TLB dropin), dmirror's `xa_store` into its mirror table.
   */
  establish(task: Task, mm: Mm, address: number, pfn: number, options: { readonly writable?: boolean } = {}): DeviceTranslation {
    const where = `${this.name}: establish`;
    if (mm === null || typeof mm !== 'object' || !('pageTable' in mm)) throw new SmmuError('EINVAL', `${where}: ${String(mm)} is not an address space`);
    if (mm.dead) throw new SmmuError('EINVAL', `${where}: mm ${mm.id} has exited`);
    if (this.subs.length > 0 && !this.subs.some((sub) => sub.mm === null || sub.mm === mm)) {
      throw new SmmuError('EINVAL', `${where}: the device answers for ${this.subs.map((sub) => `${sub.name} on mm ${sub.mm!.id}`).join(', ')}, not for mm ${mm.id}`);
    }
    if (!Number.isSafeInteger(address) || address < 0 || address >= TASK_SIZE || address % PAGE_SIZE !== 0) {
      throw new SmmuError('EINVAL', `${where}: ${typeof address === 'number' ? hex(address) : String(address)} is not a page-aligned user address`);
    }
    const frames = this.machine.mem.frames;
    if (!frames.valid(pfn)) throw new SmmuError('EINVAL', `${where}: pfn ${String(pfn)} is not a frame (0..${frames.count - 1})`);
    const h = new DeviceTranslation(this.oracle.nextId++, this, mm, address, pfn, frames.generation[pfn]!, options.writable === true, this.machine.clock.now);
    h.state.bornFree = (frames.flags[pfn]! & PG.free) !== 0;
    this.live.add(h);
    this.oracle.established(task, h);
    return h;
  }

  /**
   * A device load through `h`: after a `device` preemption point, the frame's content
   * word. EINVAL if `h` is not a live handle of this device; EFAULT if it was dropped
   * while the access waited at the preemption point (a device TLB miss: the driver
   * faults again). Kernel counterpart: a DMA read or guest load through the secondary
   * translation.
   */
  read(task: Task, h: DeviceTranslation): number | Promise<number> {
    this.requireLive(h, 'read');
    const p = this.machine.sched.preempt(task, 'device');
    return p instanceof Promise ? p.then(() => this.readNow(task, h)) : this.readNow(task, h);
  }

  /**
   * A device store of the 32-bit word `value` through `h`: after a `device` preemption
   * point, the frame's content word becomes `value` and the handle's dirty bit is set
   * (`PG_dirty` is not: see the class notes). EINVAL for a bad value or a handle that is
   * not a live handle of this device; EPERM for a read-only handle; EFAULT if it was
   * dropped or write-protected while the access waited. Kernel counterpart: a DMA write
   * or guest store through the secondary translation.
   */
  write(task: Task, h: DeviceTranslation, value: number): void | Promise<void> {
    this.requireLive(h, 'write');
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new SmmuError('EINVAL', `${this.name}: write of ${String(value)}: not a 32-bit unsigned word`);
    if (!h.state.writable) throw new SmmuError('EPERM', `${this.name}: write through read-only ${h.toString()}`);
    const p = this.machine.sched.preempt(task, 'device');
    return p instanceof Promise ? p.then(() => this.writeNow(task, h, value)) : this.writeNow(task, h, value);
  }

  /** Write-protect `h` (the driver's answer to a PROTECTION_* event). EINVAL for a handle not live on this device. Kernel counterpart: KVM's `spte` write-protect, `clear_bit(PT_WRITABLE)` in a mirror. */
  downgrade(h: DeviceTranslation): void {
    this.requireLive(h, 'downgrade');
    h.state.writable = false;
  }

  /**
   * Drop `h`: the device can no longer reach its page through it. The dirty bit goes
   * with it — read `h.dirty` first and call `setPageDirty` if set. EINVAL for a handle
   * that is not live on this device. Kernel counterpart: zapping an spte plus the
   * secondary TLB flush, a GRU TLB invalidate, dmirror's `xa_erase`.
   */
  drop(h: DeviceTranslation): void {
    this.requireLive(h, 'drop');
    this.dropNow(h);
  }

  /** Drop every live handle of `mm` whose page lies in `[start, end)`; returns how many. The handles are returned by {@link DeviceMmu.translations} beforehand if the driver needs their dirty bits. Kernel counterpart: `kvm_unmap_gfn_range`, `gru_flush_tlb_range`, `dmirror_do_update`. */
  dropRange(mm: Mm, start: number, end: number): number {
    if (!Number.isFinite(start) || !Number.isFinite(end) || end < start) throw new SmmuError('EINVAL', `${this.name}: dropRange [${String(start)}, ${String(end)}) is not a range`);
    let n = 0;
    for (const h of this.live) {
      if (h.mm === mm && h.address + PAGE_SIZE > start && h.address < end) {
        this.dropNow(h);
        n++;
      }
    }
    return n;
  }

  /** Drop every live handle (of `mm` only, when given); returns how many. Kernel counterpart: tearing down a whole mirror at `release`. */
  dropAll(mm?: Mm): number {
    let n = 0;
    for (const h of this.live) {
      if (mm === undefined || h.mm === mm) {
        this.dropNow(h);
        n++;
      }
    }
    return n;
  }

  /** The most recently established live handle of this device for the page of `address` in `mm`, if any (a device TLB lookup). Kernel counterpart: a secondary page-table walk. */
  lookup(mm: Mm, address: number): DeviceTranslation | undefined {
    const list = this.oracle.translationsAt(mm.id, address);
    if (list === undefined) return undefined;
    for (let i = list.length - 1; i >= 0; i--) if (list[i]!.device === this) return list[i];
    return undefined;
  }

  /** The live handles, oldest first (of `mm` only, when given). Kernel counterpart: none (a debugfs dump of the secondary table). */
  translations(mm?: Mm): DeviceTranslation[] {
    const out: DeviceTranslation[] = [];
    for (const h of this.live) if (mm === undefined || h.mm === mm) out.push(h);
    return out;
  }

  /** Test and clear the device's accessed bit of `h` (the driver's aging). EINVAL for a handle not live on this device. Kernel counterpart: KVM's `kvm_age_gfn` on one spte. */
  testAndClearAccessed(h: DeviceTranslation): boolean {
    this.requireLive(h, 'testAndClearAccessed');
    const was = h.state.accessed;
    h.state.accessed = false;
    return was;
  }

  /** Test and clear the device's dirty bit of `h` (before `setPageDirty`, e.g. at write-protect). EINVAL for a handle not live on this device. Kernel counterpart: KVM's dirty-bit harvesting (`spte_clear_dirty`). */
  testAndClearDirty(h: DeviceTranslation): boolean {
    this.requireLive(h, 'testAndClearDirty');
    const was = h.state.dirty;
    h.state.dirty = false;
    return was;
  }

  /**
   * core-mm's `getUserPages` (`get_user_pages` / `pin_user_pages`, same arguments and
   * errors; the caller holds `mm.mmapLock`), with each reference or pin recorded as held
   * by this device until {@link DeviceMmu.putPage} / {@link DeviceMmu.unpinUserPage}.
   * The zero page is returned but, as core-mm does, not counted. Kernel counterpart:
   * `get_user_pages()` / `pin_user_pages()` called by the driver.
   */
  getUserPages(task: Task, mm: Mm, start: number, npages: number, flags: GupFlags = {}): number[] | Promise<number[]> {
    return andThen(getUserPages(this.machine.mem, task, mm, start, npages, flags), (pfns) => {
      const f = this.machine.mem.frames;
      const zero = this.machine.mem.allocator.zeroPfn;
      const now = this.machine.clock.now;
      for (let i = 0; i < pfns.length; i++) {
        const pfn = pfns[i]!;
        if (pfn !== zero) this.held.push({ pfn, generation: f.generation[pfn]!, pin: flags.pin === true, mm, address: start + i * PAGE_SIZE, time: now });
      }
      return pfns;
    });
  }

  /** core-mm's `putPage` of a reference this device took with {@link DeviceMmu.getUserPages} (not a pin). EINVAL (nothing changed) when the device holds no such reference. Kernel counterpart: `put_page()`. */
  putPage(task: Task, pfn: number): void {
    const i = this.findHold(pfn, false, 'putPage');
    putPage(this.machine.mem, task, pfn);
    this.held.splice(i, 1);
  }

  /**
   * core-mm's `unpinUserPage` (with `dirty`: `unpin_user_pages_dirty_lock`, which may
   * sleep for the page lock) of a pin this device took. EINVAL (nothing changed) when
   * the device holds no such pin. Kernel counterpart: `unpin_user_page()` /
   * `unpin_user_pages_dirty_lock()`.
   */
  unpinUserPage(task: Task, pfn: number, options: { readonly dirty?: boolean } = {}): void | Promise<void> {
    const hold = this.held[this.findHold(pfn, true, 'unpinUserPage')]!;
    // Taken off first: another task of the driver may unpin while this one sleeps for the page lock.
    this.held.splice(this.held.indexOf(hold), 1);
    const restore = (error: unknown): never => {
      this.held.push(hold);
      throw error;
    };
    let r: void | Promise<void>;
    try {
      r = unpinUserPage(this.machine.mem, task, pfn, options);
    } catch (error) {
      return restore(error);
    }
    return r instanceof Promise ? r.catch(restore) : r;
  }

  /** The references and pins this device holds, oldest first (for `mm` only, when given). Kernel counterpart: none. */
  holds(mm?: Mm): PageHold[] {
    return mm === undefined ? this.held.slice() : this.held.filter((hold) => hold.mm === mm);
  }

  private findHold(pfn: number, pin: boolean, what: string): number {
    const gen = this.machine.mem.frames.valid(pfn) ? this.machine.mem.frames.generation[pfn]! : -1;
    const i = this.held.findIndex((hold) => hold.pfn === pfn && hold.pin === pin && hold.generation === gen);
    if (i < 0) throw new SmmuError('EINVAL', `${this.name}: ${what}: the device holds no ${pin ? 'pin' : 'get_user_pages reference'} of pfn ${String(pfn)}`);
    return i;
  }

  private requireLive(h: DeviceTranslation, what: string): void {
    if (h === null || typeof h !== 'object' || h.device !== this) throw new SmmuError('EINVAL', `${this.name}: ${what}: ${String(h)} is not a translation of this device`);
    if (!h.state.live) throw new SmmuError('EINVAL', `${this.name}: ${what}: ${h.toString()} was dropped`);
  }

  private readNow(task: Task, h: DeviceTranslation): number {
    if (!h.state.live) throw SmmuError.answer('EFAULT', `${this.name}: read: ${h.toString()} was dropped before the access (a device TLB miss)`);
    this.oracle.judge(task, h, false, 0);
    h.state.accessed = true;
    // A TLB sharing the CPU page table: the walker sets the PTE's accessed bit.
    if (this.driverClass === 'shares-cpu-page-table') deviceWalkerMarkPte(h.mm, h.address, h.pfn, false);
    const value = this.machine.mem.frames.content[h.pfn]!;
    this.report(task, h, false);
    return value;
  }

  private writeNow(task: Task, h: DeviceTranslation, value: number): void {
    if (!h.state.live || !h.state.writable) throw SmmuError.answer('EFAULT', `${this.name}: write: ${h.toString()} was ${h.state.live ? 'write-protected' : 'dropped'} before the access (a device fault)`);
    this.oracle.judge(task, h, true, value);
    h.state.accessed = true;
    h.state.dirty = true;
    if (this.driverClass === 'shares-cpu-page-table') deviceWalkerMarkPte(h.mm, h.address, h.pfn, true);
    this.machine.mem.frames.content[h.pfn] = value;
    this.report(task, h, true);
  }

  private report(task: Task, h: DeviceTranslation, write: boolean): void {
    if (!this.core.listening) return;
    this.core.deviceAccess({ device: this.name, task, mm: h.mm, address: h.address, pfn: h.pfn, generation: h.generation, write, time: this.machine.clock.now });
  }

  private dropNow(h: DeviceTranslation): void {
    h.state.live = false;
    this.live.delete(h);
    this.oracle.dropped(h);
  }
}

/**
 * A translation handle: the only way a device reaches memory. Issued by a
 * {@link DeviceMmu} for one page — the frame `pfn` at the `generation` it had then,
 * for virtual `address` of `mm` — and valid until the device drops it. `accessed` and
 * `dirty` are the device's own A/D bits, set by its accesses, which a driver tests and
 * clears for aging and dirty propagation.
 *
 * Kernel counterpart: a secondary page-table entry or TLB entry — a KVM spte, a GRU
 * TLB entry, a dmirror mirror-table entry, an IOMMU IOTLB entry. The generation is the
 * model's KASAN-style guard: a frame's generation moves on when it is freed.
 */
export class DeviceTranslation {
  /** Per-oracle serial number: handles established later have larger ids. */
  readonly id: number;
  /** The device MMU that issued the handle. */
  readonly device: DeviceMmu;
  readonly mm: Mm;
  /** Page-aligned virtual address. */
  readonly address: number;
  readonly pfn: number;
  /** `machine.mem.frames.generation[pfn]` when the handle was established. */
  readonly generation: number;
  /** Virtual time the handle was established (ns). */
  readonly established: number;
  /** @internal */
  state: TranslationState = {
    // Stryker disable next-line BooleanLiteral: the constructor sets it
    writable: false,
    live: true,
    accessed: false,
    dirty: false,
    // Stryker disable next-line BooleanLiteral: establish sets it before anything reads it
    bornFree: false,
    // Stryker disable next-line BooleanLiteral: the oracle sets it when the handle is established (baselineOnEstablish)
    storedSince: false,
    revokedBy: null,
    leakReported: false,
    lateFlushReported: false,
  };

  /** @internal Made only by {@link DeviceMmu.establish}. */
  constructor(id: number, device: DeviceMmu, mm: Mm, address: number, pfn: number, generation: number, writable: boolean, established: number) {
    this.id = id;
    this.device = device;
    this.mm = mm;
    this.address = address;
    this.pfn = pfn;
    this.generation = generation;
    this.established = established;
    this.state.writable = writable;
  }

  /** The subscription answering for it ({@link DeviceMmu.covering} of its page), or null when none of its device's covers it. Kernel counterpart: none. */
  get subscription(): DeviceSubscription | null {
    return this.device.covering(this.mm, this.address);
  }

  /** May the device write through it? Cleared by {@link DeviceMmu.downgrade}. */
  get writable(): boolean {
    return this.state.writable;
  }

  /** True until {@link DeviceMmu.drop}. */
  get live(): boolean {
    return this.state.live;
  }

  /** The device's accessed bit: set by every access, cleared by {@link DeviceMmu.testAndClearAccessed}. */
  get accessed(): boolean {
    return this.state.accessed;
  }

  /** The device's dirty bit: set by every write, cleared by {@link DeviceMmu.testAndClearDirty}. */
  get dirty(): boolean {
    return this.state.dirty;
  }

  /** `device at 0x… (mm N, pfn P gen G, rw)`, for messages. */
  toString(): string {
    return `${this.device.name} at ${hex(this.address)} (mm ${this.mm.id}, pfn ${this.pfn} generation ${this.generation}, ${this.state.writable ? 'rw' : 'ro'}, established at ${this.established} ns)`;
  }
}

/** A subscription's name for a message, or what was given instead. */
function nameOf(sub: unknown): string {
  const name = typeof sub === 'object' && sub !== null ? (sub as { name?: unknown }).name : undefined;
  return typeof name === 'string' ? name : String(sub);
}

const ORACLE_CORE_KEY = '@secondary-mmu/mmu-notifier:oracle-core';

/**
 * @internal The oracle core of `machine`, made (and listening) on first use. Here rather
 * than in oracle-core.ts because this is where the handle type it holds is known.
 */
export function oracleCoreOf(machine: Machine): OracleCore<DeviceTranslation> {
  return machine.extension(ORACLE_CORE_KEY, (m) => new OracleCore<DeviceTranslation>(m));
}
