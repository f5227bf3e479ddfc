import type { Mm } from '@secondary-mmu/core-mm';
import type { DeviceMmu } from './device-mmu.js';
import { hex } from './page-map.js';

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
  state = {
    writable: false,
    live: true,
    accessed: false,
    dirty: false,
    /** The frame was already free when the handle was made (every access is a use-after-free). */
    bornFree: false,
    /**
     * The process's page at `address` was stored to while it lived elsewhere than `pfn`
     * (since the primary last mapped `pfn` there), or already lived elsewhere when the
     * handle was made (`stale-baseline.ts`).
     */
    storedSince: false,
    /** Set when an `invalidate_page` that began after this handle was made returned. */
    revokedBy: null as string | null,
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
