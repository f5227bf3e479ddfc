import { hmmRangeFault, PAGE_SIZE, setPageDirty, TASK_SIZE, walkPageTable, type Machine, type Mm, type MmuNotifierRange, type Task } from '@secondary-mmu/core-mm';
import {
  DeviceMmu,
  MmuNotifier,
  mmuIntervalNotifier,
  mmuIntervalNotifierInsert,
  mmuIntervalReadBegin,
  mmuIntervalReadRetry,
  mmuIntervalSetSeq,
  mmuNotifierRegister,
  type DeviceTranslation,
  type MmuIntervalNotifier,
  type MmuNotifierOps,
} from '../../src/index.js';
import { v } from './helpers.js';

/**
 * Small test drivers for the coherence oracle: one correct driver per driver class, and
 * one purpose-built bug per oracle rule, selected by name. They are deliberately
 * simple (one translation per page, direct or scheduled tasks) — the real drivers live
 * in their own packages.
 */

const P = PAGE_SIZE;

function isProtection(range: MmuNotifierRange): boolean {
  return range.event === 'protection-vma' || range.event === 'protection-page';
}

/** Drop `h`, first moving its dirty bit to the page (`kvm_set_pfn_dirty`) unless `keepDirty`. */
function teardown(m: Machine, device: DeviceMmu, h: DeviceTranslation, keepDirty = false): void {
  if (device.testAndClearDirty(h) && !keepDirty) setPageDirty(m.mem, h.pfn);
  device.drop(h);
}

/** Run `body` with `mm`'s mmap_lock held for reading. */
async function underRead<T>(task: Task, mm: Mm, body: () => T | Promise<T>): Promise<T> {
  await v(mm.mmapLock.downRead(task));
  try {
    return await v(body());
  } finally {
    await v(mm.mmapLock.upRead(task));
  }
}

/** Base: a device of one mm, reads and writes through a translation it faults in on a miss. */
abstract class TestDriver {
  readonly device: DeviceMmu;
  abstract readonly sub: MmuNotifier | MmuIntervalNotifier;

  constructor(
    readonly m: Machine,
    readonly mm: Mm,
    name: string,
    driverClass: DeviceMmu['driverClass'],
  ) {
    this.device = new DeviceMmu(m, { name, driverClass });
  }

  abstract fault(task: Task, address: number, write: boolean): Promise<DeviceTranslation>;

  /** The live translation of `address`'s page usable for `write`, faulting one in on a miss. */
  async translation(task: Task, address: number, write: boolean): Promise<DeviceTranslation> {
    const page = address - (address % P);
    const h = this.device.lookup(this.mm, page);
    if (h !== undefined && (!write || h.writable)) return h;
    if (h !== undefined) this.discard(task, h);
    return this.fault(task, page, write);
  }

  /** Give up a translation the driver no longer wants. */
  protected discard(_task: Task, h: DeviceTranslation): void {
    teardown(this.m, this.device, h);
  }

  async read(task: Task, address: number): Promise<number> {
    return v(this.device.read(task, await this.translation(task, address, false)));
  }

  async write(task: Task, address: number, value: number): Promise<void> {
    await v(this.device.write(task, await this.translation(task, address, true), value));
  }
}

/** Bugs of {@link NoRefDriver}, one per rule they break. */
export type NoRefBug =
  | 'none'
  /** start (and invalidate_page) return with every translation still in place (access-in-invalidation, then use-after-free). */
  | 'keeps-translations'
  /** PROTECTION_* events: keeps its translations writable instead of downgrading them. */
  | 'no-downgrade'
  /** no invalidatePage: a v6-style driver in a 2008 era (use-after-free after reclaim). */
  | 'no-invalidate-page'
  /** faults ignore the in-progress count and the sequence (map-in-invalidation). */
  | 'maps-in-invalidation'
  /** clear_flush_young, clear_young and test_young always answer not young (aging). */
  | 'young-never'
  /** test_young always answers young (aging). */
  | 'test-young-always'
  /** release tears nothing down (leak). */
  | 'keeps-at-release'
  /** establishes every translation writable, whatever the CPU's permission (write-through-read-only). */
  | 'ignores-permission';

/**
 * A driver without page references, as KVM today: translations from `hmmRangeFault`
 * (no reference), dropped (or write-protected for PROTECTION_* events) in start and, in
 * the 2008 eras, in `invalidate_page`; faults retry while an invalidation is in progress
 * or ran meanwhile (the seq / in-progress protocol); aging through the device's
 * accessed bits.
 */
export class NoRefDriver extends TestDriver {
  readonly sub: MmuNotifier;
  inProgress = 0;
  seq = 0;

  constructor(m: Machine, mm: Mm, readonly bug: NoRefBug = 'none', name = 'noref') {
    super(m, mm, name, 'no-references');
    const ops: MmuNotifierOps = {
      invalidateRangeStart: (_task, _sub, range) => {
        this.inProgress++;
        if (this.bug === 'keeps-translations' || (this.bug === 'no-downgrade' && isProtection(range))) return 0;
        this.invalidate(range.start, range.end, isProtection(range));
        return 0;
      },
      invalidateRangeEnd: () => {
        this.seq++;
        this.inProgress--;
      },
      clearFlushYoung: (_task, _sub, _mm, start, end) => this.clearYoung(start, end),
      clearYoung: (_task, _sub, _mm, start, end) => this.clearYoung(start, end),
      testYoung: (_task, _sub, _mm, address) => {
        if (this.bug === 'test-young-always') return true;
        if (this.bug === 'young-never') return false;
        return this.device.lookup(this.mm, address)?.accessed ?? false;
      },
      release: () => {
        if (this.bug !== 'keeps-at-release') for (const h of this.device.translations()) teardown(this.m, this.device, h);
      },
    };
    if (m.era !== 'v6' && bug !== 'no-invalidate-page') {
      ops.invalidatePage = (_task, _sub, _mm, address) => {
        this.seq++;
        if (this.bug !== 'keeps-translations') this.invalidate(address, address + P, false);
      };
    }
    this.sub = new MmuNotifier(ops, name);
    this.device.answerFor(this.sub);
  }

  private invalidate(start: number, end: number, downgrade: boolean): void {
    for (const h of this.device.translations(this.mm)) {
      if (h.address >= end || h.address + P <= start) continue;
      if (downgrade) {
        if (this.device.testAndClearDirty(h)) setPageDirty(this.m.mem, h.pfn);
        this.device.downgrade(h);
      } else teardown(this.m, this.device, h);
    }
  }

  private clearYoung(start: number, end: number): boolean {
    let young = false;
    for (const h of this.device.translations(this.mm)) if (h.address < end && h.address + P > start && this.device.testAndClearAccessed(h)) young = true;
    return this.bug === 'young-never' ? false : young;
  }

  async fault(task: Task, address: number, write: boolean): Promise<DeviceTranslation> {
    for (let tries = 0; ; tries++) {
      const seq = this.seq;
      const [page] = await underRead(task, this.mm, () => hmmRangeFault(this.m.mem, task, this.mm, address, address + P, { write }));
      if (this.bug === 'maps-in-invalidation' || (this.inProgress === 0 && this.seq === seq)) {
        return this.device.establish(task, this.mm, address, page!.pfn, { writable: this.bug === 'ignores-permission' || (write && page!.write) });
      }
      if (tries > 100) throw new Error(`${this.device.name}: fault at ${address} keeps racing invalidations`);
      await v(this.m.sched.sleep(task, 100));
    }
  }
}

/** Bugs of {@link HoldsRefDriver}. */
export type HoldsRefBug =
  | 'none'
  /** end (and invalidate_page) tear nothing down: the references keep the pages, the process moves on (stale-read, lost-write). */
  | 'never-tears-down'
  /** PROTECTION_* events: keeps its writable translations (write-through-read-only). */
  | 'no-downgrade'
  /** ... and never propagates the device's dirty bit (lost-write when reclaim drops the page clean). */
  | 'no-downgrade-no-dirty'
  /** release drops the translations but keeps the references and pins (leak). */
  | 'keeps-references';

/**
 * A driver holding a page reference (or pin) per translation, as KVM in 2.6.27 or XPMEM:
 * `getUserPages` then establish; teardown in `invalidate_range_end` (the reference
 * keeps the page alive until then) and in the 2008 `invalidate_page`, dropping the
 * translation, setting the page dirty and only then giving back the reference.
 */
export class HoldsRefDriver extends TestDriver {
  readonly sub: MmuNotifier;

  constructor(m: Machine, mm: Mm, readonly bug: HoldsRefBug = 'none', readonly pin = false, name = 'holdsref') {
    super(m, mm, name, 'holds-references');
    const ops: MmuNotifierOps = {
      invalidateRangeEnd: (task, _sub, range) => this.invalidate(task, range.start, range.end, isProtection(range)),
      release: (task) => {
        for (const h of this.device.translations()) this.release(task, h, this.bug === 'keeps-references');
      },
    };
    if (m.era !== 'v6') ops.invalidatePage = (task, _sub, _mm, address) => this.invalidate(task, address, address + P, false);
    this.sub = new MmuNotifier(ops, name);
    this.device.answerFor(this.sub);
  }

  private invalidate(task: Task, start: number, end: number, protection: boolean): void {
    if (this.bug === 'never-tears-down') return;
    if (protection && this.bug !== 'none') return;
    for (const h of this.device.translations(this.mm)) if (h.address < end && h.address + P > start) this.release(task, h, false);
  }

  protected override discard(task: Task, h: DeviceTranslation): void {
    this.release(task, h, false);
  }

  /** Drop the translation, dirty the page, give back the reference (unless `keep`). */
  private release(task: Task, h: DeviceTranslation, keep: boolean): void {
    teardown(this.m, this.device, h, this.bug === 'no-downgrade-no-dirty');
    if (keep || h.pfn === this.m.mem.allocator.zeroPfn) return;
    if (this.pin) {
      const r = this.device.unpinUserPage(task, h.pfn);
      if (r instanceof Promise) throw new Error('unpin slept');
    } else this.device.putPage(task, h.pfn);
  }

  async fault(task: Task, address: number, write: boolean): Promise<DeviceTranslation> {
    const [pfn] = await underRead(task, this.mm, () => this.device.getUserPages(task, this.mm, address, 1, { write, pin: this.pin }));
    return this.device.establish(task, this.mm, address, pfn!, { writable: write });
  }
}

/**
 * A TLB sharing the CPU page table (IOMMU SVA-like): translations from a lockless walk
 * of the CPU page table (a fault through `hmmRangeFault` on a miss), dropped in
 * `arch_invalidate_secondary_tlbs` — or, with the bug `defers-flush`, never.
 */
export class SharedTlbDriver extends TestDriver {
  readonly sub: MmuNotifier;

  constructor(m: Machine, mm: Mm, readonly bug: 'none' | 'defers-flush' = 'none', name = 'sva') {
    super(m, mm, name, 'shares-cpu-page-table');
    this.sub = new MmuNotifier(
      {
        archInvalidateSecondaryTlbs: (_task, _sub, _mm, start, end) => {
          if (this.bug === 'defers-flush') return;
          for (const h of this.device.translations(this.mm)) if (h.address < end && h.address + P > start) teardown(this.m, this.device, h);
        },
        release: () => void this.device.dropAll(),
      },
      name,
    );
    this.device.answerFor(this.sub);
  }

  /** Walk the CPU page table; on a miss fault the page in and walk again (a zap may run between the fault and the walk). */
  async fault(task: Task, address: number, write: boolean): Promise<DeviceTranslation> {
    for (let tries = 0; ; tries++) {
      const pte = walkPageTable(this.mm, address);
      if (pte !== null && (!write || pte.write)) return this.device.establish(task, this.mm, address, pte.pfn, { writable: pte.write });
      if (tries > 100) throw new Error(`${this.device.name}: fault at ${address} keeps racing invalidations`);
      await underRead(task, this.mm, () => hmmRangeFault(this.m.mem, task, this.mm, address, address + P, { write }));
    }
  }
}

/**
 * A dmirror-like driver (the kernel's test_hmm): one interval notifier over the whole
 * address space, the read_begin / retry fault loop under a driver lock, teardown in
 * `invalidate` — or, with the bug `keeps-translations`, none.
 */
export class IntervalDriver extends TestDriver {
  readonly sub: MmuIntervalNotifier;

  constructor(m: Machine, mm: Mm, readonly bug: 'none' | 'keeps-translations' | 'refuses-non-blockable' = 'none', name = 'dmirror') {
    super(m, mm, name, 'no-references');
    this.sub = mmuIntervalNotifier(
      {
        invalidate: (_task, isub, range, curSeq) => {
          // Not a bug: a non-blockable range refused, translations kept (dmirror answers -EAGAIN there).
          if (this.bug === 'refuses-non-blockable' && !range.blockable) return false;
          mmuIntervalSetSeq(isub, curSeq);
          if (this.bug === 'keeps-translations') return true;
          for (const h of this.device.translations(this.mm)) {
            if (h.address >= range.end || h.address + P <= range.start) continue;
            if (isProtection(range)) {
              if (this.device.testAndClearDirty(h)) setPageDirty(this.m.mem, h.pfn);
              this.device.downgrade(h);
            } else teardown(this.m, this.device, h);
          }
          return true;
        },
      },
      name,
    );
    this.device.answerFor(this.sub);
  }

  async insert(task: Task): Promise<void> {
    await v(mmuIntervalNotifierInsert(task, this.sub, this.mm, P, TASK_SIZE - P));
  }

  async fault(task: Task, address: number, write: boolean): Promise<DeviceTranslation> {
    for (;;) {
      const seq = await v(mmuIntervalReadBegin(task, this.sub));
      const [page] = await underRead(task, this.mm, () => hmmRangeFault(this.m.mem, task, this.mm, address, address + P, { write }));
      if (mmuIntervalReadRetry(this.sub, seq)) continue;
      return this.device.establish(task, this.mm, address, page!.pfn, { writable: write && page!.write });
    }
  }
}

/** Register a classic test driver's notifier on its mm. */
export async function register(task: Task, driver: NoRefDriver | HoldsRefDriver | SharedTlbDriver): Promise<void> {
  await v(mmuNotifierRegister(task, driver.sub, driver.mm));
}

/**
 * A bystander notifier whose callbacks run `onStart` / `onEnd`: registered *before* a
 * driver it runs after the driver's start (newest first), i.e. inside the driver's
 * invalidation window — where a test makes "another engine of the device" act.
 */
export function spy(hooks: { onStart?: (range: MmuNotifierRange) => void; onEnd?: (task: Task, range: MmuNotifierRange) => void | Promise<void> }, name = 'spy'): MmuNotifier {
  return new MmuNotifier(
    {
      invalidateRangeStart: (_task, _sub, range) => {
        hooks.onStart?.(range);
        return 0;
      },
      invalidateRangeEnd: (task, _sub, range) => hooks.onEnd?.(task, range),
    },
    name,
  );
}
