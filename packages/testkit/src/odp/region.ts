import { Mutex, PAGE_SIZE, type Machine } from '@secondary-mmu/core-mm';
import type { DeviceMmu, MmuIntervalNotifier } from '@secondary-mmu/mmu-notifier';

/**
 * One registered memory region of an {@link OdpMirror}: its own interval notifier over
 * `[start, end)` and its own `umem_mutex`, which serialises the region's invalidations
 * with the commit step of its faults. Nothing is shared between regions but the
 * device: an invalidation of one region neither waits for nor touches another.
 *
 * Kernel counterpart: `struct ib_umem_odp` (`drivers/infiniband/core/umem_odp.c`) —
 * `notifier`, `umem_mutex`, and `ib_umem_start` / `ib_umem_end`.
 */
export class OdpRegion {
  /** The region's index in its mirror (its notifier's name ends with it). */
  readonly index: number;
  /** First byte (page aligned). */
  readonly start: number;
  /** One past the last byte (page aligned). */
  readonly end: number;
  /** `umem_odp->umem_mutex`. */
  readonly mutex: Mutex;
  /** `umem_odp->notifier`, made by the mirror (its callback names this region). */
  notifier!: MmuIntervalNotifier;
  /** The notifier is in the mm's interval tree (inserted, not yet removed). */
  inserted = false;

  constructor(machine: Machine, index: number, start: number, end: number) {
    this.index = index;
    this.start = start;
    this.end = end;
    this.mutex = new Mutex(machine, 'umem_odp->umem_mutex');
  }

  /** Does the region hold the page of `address`? */
  holds(address: number): boolean {
    return address >= this.start && address < this.end;
  }

  /** How many pages it spans. */
  get pages(): number {
    return (this.end - this.start) / PAGE_SIZE;
  }
}

/** What a region's `invalidate` sees of its mirror: the device and every region (`OdpMirror` is one). Kernel counterpart: none. */
export interface OdpRegions {
  readonly device: DeviceMmu;
  readonly regions: readonly OdpRegion[];
}
