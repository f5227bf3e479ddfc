import { SpinLock, type Machine, type Mm } from '@secondary-mmu/core-mm';
import type { DeviceMmu } from '@secondary-mmu/mmu-notifier';
import { ClassicMirrorTable } from './mirror-table.js';

/** Counters of the fault path, for tests and reports. Kernel counterpart: none (KVM's `pf_*` vCPU stats come closest). */
export interface ClassicMirrorStats {
  /** Device faults begun (one per missing or read-only translation the device needed). */
  faults: number;
  /** Times the fault found an invalidation in progress or the sequence moved, and started over. */
  retries: number;
  /** Translations established. */
  established: number;
}

/**
 * The shared state of one classic-mirror instance: the mirror table, `mmu_lock` (a
 * spinlock: taken in callbacks that run under the PT lock and, in `v2.6.27`, inside
 * `rcu_read_lock()`), the invalidation sequence and the count of invalidations in
 * progress. Both counters change only under `mmu_lock`.
 *
 * Kernel counterpart: the MMU part of `struct kvm` — `mmu_lock`,
 * `mmu_invalidate_seq` (`mmu_notifier_seq` before 6.3), `mmu_invalidate_in_progress`
 * (`mmu_notifier_count`) and the shadow page tables.
 */
export class ClassicMirrorState {
  readonly mmuLock: SpinLock;
  readonly table: ClassicMirrorTable;
  /** Bumped by every completed invalidation (range end, `invalidate_page`). */
  invalidateSeq = 0;
  /** Range invalidations between their start and their end. */
  inProgress = 0;
  /** Set by `release` and `detach`: no translation may be established any more. */
  closed = false;
  readonly stats: ClassicMirrorStats = { faults: 0, retries: 0, established: 0 };

  constructor(
    readonly machine: Machine,
    readonly mm: Mm,
    readonly device: DeviceMmu,
  ) {
    this.mmuLock = new SpinLock(machine, 'mmu_lock');
    this.table = new ClassicMirrorTable(device, mm);
  }
}
