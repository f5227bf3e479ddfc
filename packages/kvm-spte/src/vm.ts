import { Mutex, SpinLock, type Era, type Machine, type Mm } from '@secondary-mmu/core-mm';
import type { DeviceMmu } from '@secondary-mmu/mmu-notifier';
import { MemslotTable } from './memslot.js';
import type { KvmSpteRefs } from './refs.js';
import { RemoteTlb } from './remote-tlb.js';
import { SpteTable } from './spte-table.js';
import { newKvmSpteStats, type KvmSpteStats } from './stats.js';

/**
 * The guest frames an invalidation in progress covers (`v6`), `[start, end)`; null while
 * none is in progress or none of them touched a memslot yet. Kernel counterpart:
 * `kvm->mmu_invalidate_range_start` / `_end` (`INVALID_GPA` for null).
 */
export interface InvalidateRange {
  readonly start: number;
  readonly end: number;
}

/**
 * The state of one VM: its memslots and sptes, `mmu_lock` (a spinlock: the callbacks
 * take it under the PT lock in the 2008 eras and inside `rcu_read_lock()` in
 * `v2.6.27`), `slots_lock` (a mutex, serialising memslot changes), and the invalidation
 * bookkeeping the guest fault checks: the sequence, the count in progress and, in `v6`,
 * the guest-frame range they cover. The counters change only under `mmu_lock`.
 *
 * Kernel counterpart: `struct kvm` — `mmu_lock`, `slots_lock`, `memslots`,
 * `mmu_invalidate_seq` / `mmu_invalidate_in_progress` / `mmu_invalidate_range_start,end`
 * (before 6.3: `mmu_notifier_seq`, `mmu_notifier_count`, `mmu_notifier_range_*`),
 * `mn_active_invalidate_count`, and the shadow / TDP page tables.
 */
export class KvmVm {
  /** `kvm->mmu_lock`: guards the sptes, the memslot table's changes and the invalidation counters. */
  readonly mmuLock: SpinLock;
  /** `kvm->slots_lock`: serialises memslot changes (taken before `mmu_lock`). */
  readonly slotsLock: Mutex;
  /** The memslots. */
  readonly memslots = new MemslotTable();
  /** The VM's counters. */
  readonly stats: KvmSpteStats = newKvmSpteStats();
  /** The vCPUs' TLBs: zapped sptes until the next remote flush. */
  readonly tlb: RemoteTlb;
  /** The sptes, by gfn. */
  readonly sptes: SpteTable;
  /** `mmu_invalidate_seq`: bumped by every completed invalidation (range end, `invalidate_page`). */
  invalidateSeq = 0;
  /** `mmu_invalidate_in_progress`: range invalidations between their start and their end. */
  inProgress = 0;
  /** `mmu_invalidate_range_start/end` (`v6`): the guest frames of the invalidations in progress, merged. */
  invalidateRange: InvalidateRange | null = null;
  /** `mn_active_invalidate_count` (`v6`): range invalidations begun and not ended, whether or not they touched a memslot; memslot changes wait for zero. */
  activeInvalidations = 0;
  /** Set by `release` and `detach`: no spte may be installed any more. */
  closed = false;

  constructor(
    readonly machine: Machine,
    readonly mm: Mm,
    readonly device: DeviceMmu,
    /** What an spte keeps of its page. */
    readonly refs: KvmSpteRefs,
    /** Whether the sptes have hardware accessed bits (EPT A/D); without them aging works by other means (`ageWithoutABits`). */
    readonly accessedBits = true,
  ) {
    this.mmuLock = new SpinLock(machine, 'mmu_lock');
    this.slotsLock = new Mutex(machine, 'slots_lock');
    this.tlb = new RemoteTlb(device, this.stats);
    this.sptes = new SpteTable(device, this.tlb);
  }

  /** The era the VM runs in (the machine's). */
  get era(): Era {
    return this.machine.era;
  }
}
