import { PAGE_SIZE } from '@secondary-mmu/core-mm';
import type { DeviceMmu, DeviceTranslation } from '@secondary-mmu/mmu-notifier';

/**
 * One context's TLB: page-aligned virtual address → the `DeviceTranslation` the GRU's
 * engine uses for it, at most `size` entries, replaced least recently used first. It
 * holds no page reference: the entry is good only until the next invalidation flushes
 * it. Entries are written only by a dropin and removed only by a flush or an eviction,
 * each with no preemption point inside, as the hardware does them.
 *
 * A write needs the PTE dirty at dropin time (the dropin path asks for it), so a
 * device write always lands in a page the kernel already sees dirty: unlike KVM's
 * sptes, nothing is moved to the page when an entry goes.
 *
 * Kernel counterpart: the GRU chiplet's TLB entries of one ASID (filled by
 * `tfh_write_restart()`, invalidated by `tgh_invalidate()`), which the kernel never
 * reads back.
 */
export class GruTlb {
  // Map iteration order is insertion order: re-inserting on use keeps it LRU first.
  private readonly entries = new Map<number, DeviceTranslation>();

  constructor(
    readonly device: DeviceMmu,
    readonly size: number,
  ) {}

  /** Entries held now. */
  get count(): number {
    return this.entries.size;
  }

  /**
   * The live entry for `page`, writable if `write`, marked most recently used; undefined
   * on a miss (none, or read-only for a write).
   */
  lookup(page: number, write: boolean): DeviceTranslation | undefined {
    const h = this.entries.get(page);
    if (h === undefined || !h.live || (write && !h.writable)) return undefined;
    this.entries.delete(page);
    this.entries.set(page, h);
    return h;
  }

  /**
   * Write the entry for `h`'s page, replacing an older one of that page; when full,
   * evict the least recently used entry first. Returns how many were evicted (0 or 1).
   */
  insert(h: DeviceTranslation): number {
    const old = this.entries.get(h.address);
    if (old !== undefined) this.remove(old);
    let evicted = 0;
    if (this.entries.size >= this.size) {
      const lru = this.entries.values().next().value!;
      this.remove(lru);
      evicted = 1;
    }
    this.entries.set(h.address, h);
    return evicted;
  }

  /** Invalidate every entry whose page overlaps `[start, end)`; returns how many. */
  invalidateRange(start: number, end: number): number {
    let n = 0;
    for (const h of [...this.entries.values()]) {
      if (h.address < end && h.address + PAGE_SIZE > start) {
        this.remove(h);
        n++;
      }
    }
    return n;
  }

  /** Invalidate everything (the ASID is dropped, or the context unloaded); returns how many. */
  invalidateAll(): number {
    const n = this.entries.size;
    for (const h of [...this.entries.values()]) this.remove(h);
    return n;
  }

  private remove(h: DeviceTranslation): void {
    this.entries.delete(h.address);
    if (h.live) this.device.drop(h);
  }
}
