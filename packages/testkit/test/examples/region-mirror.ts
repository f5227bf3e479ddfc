// An interval-notifier driver with one notifier per registered region, as
// docs/writing-a-driver.md builds it ("An interval-notifier driver: one notifier per
// region"): the shape of RDMA on-demand paging, where each memory region an
// application registers gets its own mmu_interval_notifier.
import { hmmRangeFault, isSmmuError, Mutex, PAGE_SIZE, SmmuError, type Machine, type Mm, type Task } from '@secondary-mmu/core-mm';
import {
  DeviceMmu,
  MmuIntervalNotifier,
  mmuIntervalNotifierInsert,
  mmuIntervalNotifierRemove,
  mmuIntervalReadBegin,
  mmuIntervalReadRetry,
  mmuIntervalSetSeq,
  type DeviceTranslation,
} from '@secondary-mmu/mmu-notifier';
import { defineDriver, MirrorDriver } from '@secondary-mmu/testkit';

/** One registered region: its own interval notifier and its own lock. */
interface Region {
  readonly start: number;
  readonly end: number;
  readonly lock: Mutex; // orders this region's invalidations with its faults' installs
  readonly notifier: MmuIntervalNotifier;
}

class RegionMirror extends MirrorDriver {
  readonly regions: Region[] = [];

  constructor(machine: Machine, mm: Mm) {
    super(new DeviceMmu(machine, { name: 'regions', driverClass: 'no-references' }), mm);
  }

  /** Register [start, end): insert its notifier, and have the device answer for it. */
  async register(task: Task, start: number, end: number): Promise<void> {
    const lock = new Mutex(this.device.machine, 'region->lock');
    const notifier = new MmuIntervalNotifier(
      {
        invalidate: async (t, isub, range, curSeq) => {
          if (!range.blockable) return false; // would sleep on the lock: the OOM reaper retries later
          await lock.lock(t);
          mmuIntervalSetSeq(isub, curSeq);
          // Only this region's part of the range: the other regions get their own calls.
          this.device.dropRange(range.mm, Math.max(start, range.start), Math.min(end, range.end));
          await lock.unlock(t);
          return true;
        },
      },
      `regions-mr${this.regions.length}`,
    );
    await mmuIntervalNotifierInsert(task, notifier, this.mm, start, end - start);
    this.regions.push({ start, end, lock, notifier });
    this.device.addSubscription(notifier); // the oracle judges each page by the region covering it
  }

  /** The device fault: the region's read_begin / hmm_range_fault / read_retry loop. */
  protected async translate(task: Task, address: number, write: boolean): Promise<DeviceTranslation> {
    const page = address - (address % PAGE_SIZE);
    const region = this.regions.find((r) => page >= r.start && page < r.end);
    if (region === undefined) throw new SmmuError('EFAULT', `regions: 0x${page.toString(16)} is in no registered region`);
    for (;;) {
      const h = this.device.lookup(this.mm, page);
      if (h !== undefined && (!write || h.writable)) return h;
      if (this.mm.dead) throw new SmmuError('EFAULT', 'regions: the mm has exited');
      const seq = await mmuIntervalReadBegin(task, region.notifier); // this region's sequence, not another's
      await this.mm.mmapLock.downRead(task);
      let pfn: { pfn: number; write: boolean };
      try {
        [pfn] = (await hmmRangeFault(this.device.machine.mem, task, this.mm, page, page + PAGE_SIZE, { write })) as [{ pfn: number; write: boolean }];
      } catch (error) {
        if (isSmmuError(error, 'EBUSY')) continue;
        throw error;
      } finally {
        await this.mm.mmapLock.upRead(task);
      }
      await region.lock.lock(task);
      let installed: DeviceTranslation | undefined;
      try {
        // Checked under the lock this region's invalidate takes: the mm is marked dead
        // before exit's release pass, which then zaps whatever was installed before.
        if (this.detached || this.mm.dead) throw new SmmuError('EFAULT', 'regions: detached or exited');
        if (!mmuIntervalReadRetry(region.notifier, seq)) {
          const old = this.device.lookup(this.mm, page);
          if (old !== undefined) this.device.drop(old);
          installed = this.device.establish(task, this.mm, page, pfn.pfn, { writable: pfn.write });
        }
      } finally {
        await region.lock.unlock(task);
      }
      if (installed?.live === true && (!write || installed.writable)) return installed;
    }
  }

  /** detach's drop: each region under its own lock. */
  protected override async dropTranslations(task: Task): Promise<void> {
    for (const r of this.regions) {
      await r.lock.lock(task);
      this.device.dropRange(this.mm, r.start, r.end);
      await r.lock.unlock(task);
    }
  }

  protected async unregister(task: Task): Promise<void> {
    for (const r of this.regions.splice(0)) {
      await mmuIntervalNotifierRemove(task, r.notifier);
      this.device.removeSubscription(r.notifier);
    }
  }
}

/** One region per mapping the mm has when the device is opened. Interval notifiers are v6 only. */
export const regionMirror = defineDriver({
  name: 'regions',
  eras: ['v6'],
  capabilities: { mayFailStart: true }, // answers false when the range may not block
  async attach(task, machine, mm) {
    const mirror = new RegionMirror(machine, mm);
    await mm.mmapLock.downRead(task);
    const spans = mm.vmas.overlapping(0, Number.MAX_SAFE_INTEGER).map((vma) => [vma.start, vma.end] as const);
    await mm.mmapLock.upRead(task);
    for (const [start, end] of spans) await mirror.register(task, start, end);
    return mirror;
  },
});
