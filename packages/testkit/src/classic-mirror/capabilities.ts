import type { DriverCapabilities } from '../capabilities.js';

/**
 * What {@link classicMirror} declares: no page references (its translations keep
 * nothing), aging implemented through the device's accessed bits, never blocks
 * (every callback only takes the `mmu_lock` spinlock), never fails a start, and a
 * device TLB of its own. Kernel counterpart: KVM's MMU since ≈2.6.32 (sptes without
 * page references, `kvm_mmu_notifier_clear_flush_young`, `mmu_lock` a spinlock).
 */
export const CLASSIC_MIRROR_CAPABILITIES: DriverCapabilities = {
  holdsPageRefs: false,
  implementsAging: true,
  mayBlock: false,
  mayFailStart: false,
  sharesCpuPageTable: false,
};
