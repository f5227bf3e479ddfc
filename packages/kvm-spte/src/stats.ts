/**
 * Counters of one VM, for tests and reports. Kernel counterpart: none as such — KVM's
 * per-VM and per-vCPU statistics (`pf_taken`, `pf_fixed`, `remote_tlb_flush`,
 * `mmu_shadow_zapped`) come closest.
 */
export interface KvmSpteStats {
  /** Guest faults begun (an access that found no spte, or a read-only one for a write). */
  faults: number;
  /** Times a fault found an invalidation in its way (the retry check fired) and started over. */
  retries: number;
  /** Sptes installed. */
  installs: number;
  /** Sptes zapped (invalidations, memslot deletes, release, detach, replacements). */
  zaps: number;
  /** Remote TLB flushes (`kvm_flush_remote_tlbs`). */
  flushes: number;
  /** Aging callbacks answered (`clear_flush_young`, `clear_young`, `test_young`). */
  youngCalls: number;
  /** Of those, the answers "young". */
  youngAnswers: number;
}

/** A fresh set of counters, all zero. Kernel counterpart: none. */
export function newKvmSpteStats(): KvmSpteStats {
  return { faults: 0, retries: 0, installs: 0, zaps: 0, flushes: 0, youngCalls: 0, youngAnswers: 0 };
}
