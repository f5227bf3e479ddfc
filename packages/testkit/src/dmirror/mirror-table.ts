import { PAGE_SIZE, type Mm, type Task } from '@secondary-mmu/core-mm';
import type { DeviceMmu, DeviceTranslation } from '@secondary-mmu/mmu-notifier';

/**
 * dmirror's mirror page table: page address → the device's translation of it, holding
 * no page reference. Every entry is a handle of one `DeviceMmu`, so the coherence
 * oracle sees exactly what the table maps. Call every method under `dmirror->mutex`
 * (the kernel's xarray has its own lock, but dmirror serialises on the mutex anyway).
 *
 * Kernel counterpart: `struct dmirror`'s `pt` xarray, indexed by virtual pfn, whose
 * entries are `struct page *` tagged `DPT_XA_TAG_WRITE` when writable.
 */
export class MirrorTable {
  /** The device whose translations the entries are. */
  readonly device: DeviceMmu;
  /** The mirrored address space. */
  readonly mm: Mm;
  private readonly entries = new Map<number, DeviceTranslation>();

  constructor(device: DeviceMmu, mm: Mm) {
    this.device = device;
    this.mm = mm;
  }

  /** The entry for the page holding `address`, if any. Kernel counterpart: `xa_load(&dmirror->pt, addr >> PAGE_SHIFT)`. */
  load(address: number): DeviceTranslation | undefined {
    return this.entries.get(pageIndex(address));
  }

  /**
   * Map the page at `address` to `pfn` (writable or not), replacing (dropping) any
   * previous entry. Kernel counterpart: `xa_store(&dmirror->pt, pfn, entry, GFP_ATOMIC)`
   * in `dmirror_do_fault`.
   */
  store(task: Task, address: number, pfn: number, writable: boolean): DeviceTranslation {
    const key = pageIndex(address);
    const old = this.entries.get(key);
    if (old !== undefined && old.live) this.device.drop(old);
    const h = this.device.establish(task, this.mm, key * PAGE_SIZE, pfn, { writable });
    this.entries.set(key, h);
    return h;
  }

  /**
   * Erase every entry whose page overlaps `[start, end)`; returns how many. Kernel
   * counterpart: `dmirror_do_update` (`xa_for_each_range` + `xa_erase`; the kernel's
   * range is inclusive of the page at `end`, one page more than needed — harmless, not
   * copied).
   */
  eraseRange(start: number, end: number): number {
    for (const [key, h] of this.entries) {
      if (h.address + PAGE_SIZE > start && h.address < end) this.entries.delete(key);
    }
    return this.device.dropRange(this.mm, start, end);
  }

  /** Erase everything; returns how many. Kernel counterpart: `xa_destroy(&dmirror->pt)`. */
  destroy(): number {
    this.entries.clear();
    return this.device.dropAll(this.mm);
  }

  /** How many pages are mirrored. Kernel counterpart: none (a debugfs count). */
  get size(): number {
    return this.entries.size;
  }
}

function pageIndex(address: number): number {
  return Math.floor(address / PAGE_SIZE);
}
