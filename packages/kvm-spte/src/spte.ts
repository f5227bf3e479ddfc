import type { DeviceTranslation } from '@secondary-mmu/mmu-notifier';
import type { Memslot } from './memslot.js';

/**
 * One shadow / TDP page-table entry: guest frame `gfn` of `slot` mapped to the frame of
 * its device translation. The accessed and dirty bits are the hardware's: the device
 * sets them on every access through `handle` (as the CPU sets an EPT entry's A/D bits),
 * the driver tests and clears them. `ref` is the frame whose `get_user_pages`
 * reference the spte holds (`refs: 'per-spte'`), or null.
 *
 * Kernel counterpart: an spte (`u64 *sptep` in a `struct kvm_mmu_page`), with its rmap
 * entry linking it to the gfn.
 */
export class Spte {
  constructor(
    readonly gfn: number,
    readonly slot: Memslot,
    /** The device translation the vCPU accesses through (the spte as hardware sees it). */
    readonly handle: DeviceTranslation,
    /** The frame whose reference this spte holds, or null. */
    readonly ref: number | null,
  ) {}

  /** The host frame mapped. */
  get pfn(): number {
    return this.handle.pfn;
  }

  /** The host address backing the gfn. */
  get hva(): number {
    return this.handle.address;
  }

  /** May the guest write through it? */
  get writable(): boolean {
    return this.handle.writable;
  }

  /** The accessed bit (set by every guest access). */
  get accessed(): boolean {
    return this.handle.accessed;
  }

  /** The dirty bit (set by every guest write). */
  get dirty(): boolean {
    return this.handle.dirty;
  }
}
