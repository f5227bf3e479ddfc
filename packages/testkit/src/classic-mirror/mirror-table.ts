import { PAGE_SIZE, PG, setPageDirty, type Mm, type Task } from '@secondary-mmu/core-mm';
import type { DeviceMmu, DeviceTranslation } from '@secondary-mmu/mmu-notifier';

/**
 * The classic mirror's secondary page table: page-aligned virtual address → the live
 * `DeviceTranslation` the device uses for it (at most one per page). Every method
 * is called with the driver's `mmu_lock` held, except {@link ClassicMirrorTable.get} (the
 * device's own lookup, as hardware walks sptes without the lock). Translations hold no
 * page reference (`driverClass: 'no-references'`), so teardown must be complete before
 * an invalidation returns.
 *
 * Kernel counterpart: KVM's shadow / TDP page table (`struct kvm_mmu_page`s and their
 * sptes) for one address space.
 */
export class ClassicMirrorTable {
  private readonly entries = new Map<number, DeviceTranslation>();

  constructor(
    readonly device: DeviceMmu,
    readonly mm: Mm,
  ) {}

  /** How many translations the mirror holds. */
  get size(): number {
    return this.entries.size;
  }

  /** The live translation of the page at `address` (page aligned), if any. Kernel counterpart: a hardware walk of the spte. */
  get(address: number): DeviceTranslation | undefined {
    const h = this.entries.get(address);
    return h?.live === true ? h : undefined;
  }

  /**
   * Establish the device translation of `address` → `pfn`, replacing (and zapping) any
   * older one of that page. Kernel counterpart: `mmu_set_spte()` / `tdp_mmu_map()`.
   */
  install(task: Task, address: number, pfn: number, writable: boolean): DeviceTranslation {
    const old = this.entries.get(address);
    if (old !== undefined) this.zap(old);
    const h = this.device.establish(task, this.mm, address, pfn, { writable });
    this.entries.set(address, h);
    return h;
  }

  /** Zap every translation whose page overlaps `[start, end)`; returns how many. Kernel counterpart: `kvm_unmap_gfn_range()` (plus the remote TLB flush). */
  zapRange(start: number, end: number): number {
    let n = 0;
    for (const h of [...this.entries.values()]) {
      if (h.address < end && h.address + PAGE_SIZE > start) {
        this.zap(h);
        n++;
      }
    }
    return n;
  }

  /** Zap everything; returns how many. Kernel counterpart: `kvm_flush_shadow_all()` / `kvm_arch_flush_shadow_all()`. */
  zapAll(): number {
    const n = this.entries.size;
    for (const h of [...this.entries.values()]) this.zap(h);
    return n;
  }

  /**
   * Test and clear the accessed bits of the translations overlapping `[start, end)`,
   * ORed (every bit is cleared: no short circuit). Kernel counterpart: `kvm_age_gfn()`.
   */
  testAndClearYoung(start: number, end: number): boolean {
    let young = false;
    for (const h of this.entries.values()) {
      if (h.address < end && h.address + PAGE_SIZE > start && this.device.testAndClearAccessed(h)) young = true;
    }
    return young;
  }

  /** Whether the translation of the page at `address` was accessed since its bit was last cleared; clears nothing. Kernel counterpart: `kvm_test_age_gfn()`. */
  testYoung(address: number): boolean {
    const page = address - (address % PAGE_SIZE);
    return this.entries.get(page)?.accessed ?? false;
  }

  /**
   * Drop `h`, first moving the device's dirty bit to the page (`set_page_dirty`) while
   * the frame is still the one it mapped, so writeback and reclaim never lose a device
   * write. Kernel counterpart: `drop_spte()` with `kvm_set_pfn_dirty()` for a dirty spte.
   */
  private zap(h: DeviceTranslation): void {
    this.entries.delete(h.address);
    if (!h.live) return;
    const mem = this.device.machine.mem;
    const f = mem.frames;
    const sameFrame = f.generation[h.pfn] === h.generation && (f.flags[h.pfn]! & PG.free) === 0;
    if (this.device.testAndClearDirty(h) && sameFrame) setPageDirty(mem, h.pfn);
    this.device.drop(h);
  }
}
