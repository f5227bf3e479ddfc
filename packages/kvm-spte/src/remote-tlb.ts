import { PG, putPage, setPageDirty, type Task } from '@secondary-mmu/core-mm';
import type { DeviceMmu } from '@secondary-mmu/mmu-notifier';
import type { Spte } from './spte.js';
import type { KvmSpteStats } from './stats.js';

/**
 * The VM's vCPU TLBs: sptes zapped from the table stay reachable by the device until the
 * next remote flush, as a zapped spte stays in a vCPU's TLB until KVM flushes it. The
 * flush drops their translations, moves each one's dirty bit to its page
 * (`setPageDirty`, only while the frame is still the one it mapped) and then puts the
 * page reference a `'per-spte'` spte held — dirty before the put, so writeback never
 * misses a guest write.
 *
 * Kernel counterpart: `kvm_flush_remote_tlbs()` (a `KVM_REQ_TLB_FLUSH` to every vCPU,
 * waiting for their acknowledgement), with the dirty propagation and page release of
 * `rmap_remove()` (2.6.27) / `mmu_spte_clear_track_bits()` (later).
 */
export class RemoteTlb {
  private pending: Spte[] = [];

  constructor(
    private readonly device: DeviceMmu,
    private readonly stats: KvmSpteStats,
  ) {}

  /** How many zapped sptes the device may still reach. */
  get stale(): number {
    return this.pending.length;
  }

  /** Note `spte`, just zapped from the table: reachable until {@link RemoteTlb.flush}. */
  zapped(spte: Spte): void {
    this.pending.push(spte);
    this.stats.zaps++;
  }

  /** Flush every vCPU's TLB: no zapped spte is reachable any more. Never sleeps. Kernel counterpart: `kvm_flush_remote_tlbs()`. */
  flush(task: Task): void {
    this.stats.flushes++;
    const done = this.pending;
    this.pending = [];
    for (const spte of done) this.retire(task, spte);
  }

  /** Zap `spte` and flush it at once (an spte replaced under `mmu_lock`). Kernel counterpart: `drop_spte()` plus a flush of that one entry. */
  zapNow(task: Task, spte: Spte): void {
    this.stats.zaps++;
    this.retire(task, spte);
  }

  private retire(task: Task, spte: Spte): void {
    const { device } = this;
    const h = spte.handle;
    if (!h.live) return;
    const dirty = device.testAndClearDirty(h);
    device.drop(h);
    const f = device.machine.mem.frames;
    const sameFrame = f.generation[h.pfn] === h.generation && (f.flags[h.pfn]! & PG.free) === 0;
    if (dirty && sameFrame) setPageDirty(device.machine.mem, h.pfn);
    if (spte.ref !== null) putPage(device.machine.mem, task, spte.ref);
  }
}
