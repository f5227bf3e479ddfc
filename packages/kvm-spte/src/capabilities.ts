import type { KvmSpteRefs } from './refs.js';

/**
 * What a driver declares about itself, in the shape of the testkit's
 * `DriverCapabilities` (this package does not depend on the testkit: the factory
 * matches its contract structurally). Kernel counterpart: none.
 */
export interface KvmSpteCapabilities {
  readonly holdsPageRefs: boolean;
  readonly implementsAging: boolean;
  readonly mayBlock: boolean;
  readonly mayFailStart: boolean;
  readonly sharesCpuPageTable: boolean;
}

/**
 * What a VM in mode `refs` declares: page references exactly when sptes hold them
 * (`'per-spte'`; the same in every era the factory declares), aging through the sptes'
 * accessed bits, never blocks (every callback only takes the `mmu_lock` spinlock), never
 * fails a start, and sptes of its own (no shared CPU page table). Kernel counterpart:
 * none — properties of KVM's MMU design.
 */
export function kvmSpteCapabilities(refs: KvmSpteRefs): KvmSpteCapabilities {
  return Object.freeze({ holdsPageRefs: refs === 'per-spte', implementsAging: true, mayBlock: false, mayFailStart: false, sharesCpuPageTable: false });
}
