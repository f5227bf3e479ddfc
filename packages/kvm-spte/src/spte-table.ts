import { PAGE_SIZE, type Task } from '@secondary-mmu/core-mm';
import type { DeviceMmu } from '@secondary-mmu/mmu-notifier';
import type { RemoteTlb } from './remote-tlb.js';
import type { Spte } from './spte.js';

/**
 * A VM's sptes by guest frame number (one level: no huge pages, no guest page tables).
 * Every method runs with `mmu_lock` held except {@link SpteTable.get}, the vCPU's own
 * walk (hardware walks sptes without the lock). Zapping takes an spte out of the table
 * and hands it to the {@link RemoteTlb}: it goes for good at the next flush.
 *
 * Kernel counterpart: the VM's shadow / TDP page tables (`kvm->arch.mmu_page_hash`,
 * the TDP MMU's roots) with the rmaps that find an spte from its gfn.
 */
export class SpteTable {
  private readonly entries = new Map<number, Spte>();

  constructor(
    private readonly device: DeviceMmu,
    private readonly tlb: RemoteTlb,
  ) {}

  /** How many sptes are present. */
  get size(): number {
    return this.entries.size;
  }

  /** The spte of `gfn`, if present. Kernel counterpart: a hardware walk. */
  get(gfn: number): Spte | undefined {
    const s = this.entries.get(gfn);
    return s?.handle.live === true ? s : undefined;
  }

  /** Every present spte, by gfn. */
  list(): Spte[] {
    return [...this.entries.values()].sort((a, b) => a.gfn - b.gfn);
  }

  /** Make `spte` the entry of its gfn; an older one (the read-only spte a write fault upgrades) is zapped and flushed at once. Kernel counterpart: `mmu_set_spte()` / `tdp_mmu_map_handle_target_level()`. */
  install(task: Task, spte: Spte): void {
    const old = this.entries.get(spte.gfn);
    if (old !== undefined) this.tlb.zapNow(task, old);
    this.entries.set(spte.gfn, spte);
  }

  /** Zap the sptes of guest frames `[first, end)`; returns how many (a flush is then needed). Kernel counterpart: `kvm_unmap_gfn_range()` / 2.6.27's `kvm_unmap_hva()` per page. */
  zapGfns(first: number, end: number): number {
    let n = 0;
    for (const s of [...this.entries.values()]) {
      if (s.gfn >= first && s.gfn < end) {
        this.entries.delete(s.gfn);
        this.tlb.zapped(s);
        n++;
      }
    }
    return n;
  }

  /** Zap every spte; returns how many. Kernel counterpart: `kvm_arch_flush_shadow_all()` / `kvm_mmu_zap_all()`. */
  zapAll(): number {
    return this.zapGfns(0, Number.MAX_SAFE_INTEGER);
  }

  /**
   * Test and clear the accessed bits of the sptes whose host page overlaps `[start,
   * end)`, ORed (every bit is cleared: no short circuit). Kernel counterpart:
   * `kvm_age_gfn()` (2.6.27: `kvm_age_hva()`).
   */
  testAndClearYoung(start: number, end: number): boolean {
    let young = false;
    for (const s of this.entries.values()) {
      if (s.hva < end && s.hva + PAGE_SIZE > start && s.handle.live && this.device.testAndClearAccessed(s.handle)) young = true;
    }
    return young;
  }

  /** Whether an spte of the host page at `hva` was accessed since its bit was last cleared; clears nothing. Kernel counterpart: `kvm_test_age_gfn()`. */
  testYoung(hva: number): boolean {
    const page = hva - (hva % PAGE_SIZE);
    for (const s of this.entries.values()) if (s.hva === page && s.handle.live && s.accessed) return true;
    return false;
  }
}
