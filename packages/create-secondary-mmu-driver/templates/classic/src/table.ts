// The device's translations, one per page: the mirror table. No page references are
// held: an invalidation must zap an entry before the page it maps can be freed.
import { PAGE_SIZE, PG, setPageDirty, type Mm, type Task } from '@secondary-mmu/core-mm';
import type { DeviceMmu, DeviceTranslation } from '@secondary-mmu/mmu-notifier';

export class MirrorTable {
  private readonly entries = new Map<number, DeviceTranslation>();

  constructor(
    readonly device: DeviceMmu,
    readonly mm: Mm,
  ) {}

  /** The live translation of `page`, if any. */
  get(page: number): DeviceTranslation | undefined {
    const h = this.entries.get(page);
    return h?.live === true ? h : undefined;
  }

  /** Map `page` to `pfn`, replacing what was there (e.g. the read-only entry a write upgrades). */
  install(task: Task, page: number, pfn: number, writable: boolean): DeviceTranslation {
    const old = this.entries.get(page);
    if (old !== undefined) this.zap(old);
    const h = this.device.establish(task, this.mm, page, pfn, { writable });
    this.entries.set(page, h);
    return h;
  }

  /** Zap every entry overlapping [start, end). */
  zapRange(start: number, end: number): void {
    for (const h of [...this.entries.values()]) if (h.address < end && h.address + PAGE_SIZE > start) this.zap(h);
  }

  /** Test and clear the device's accessed bits in [start, end): true if any was set. */
  testAndClearYoung(start: number, end: number): boolean {
    let young = false;
    for (const h of this.entries.values()) {
      if (h.address < end && h.address + PAGE_SIZE > start && this.device.testAndClearAccessed(h)) young = true;
    }
    return young;
  }

  /** The accessed bit of the entry holding `address`, left as it is. */
  testYoung(address: number): boolean {
    return this.entries.get(address - (address % PAGE_SIZE))?.accessed ?? false;
  }

  private zap(h: DeviceTranslation): void {
    this.entries.delete(h.address);
    if (!h.live) return;
    // What the device wrote must reach the page (writeback, swap) before the entry goes.
    const mem = this.device.machine.mem;
    const sameFrame = mem.frames.generation[h.pfn] === h.generation && (mem.frames.flags[h.pfn]! & PG.free) === 0;
    if (this.device.testAndClearDirty(h) && sameFrame) setPageDirty(mem, h.pfn);
    this.device.drop(h);
  }
}
