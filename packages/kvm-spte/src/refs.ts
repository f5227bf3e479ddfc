import type { Era } from '@secondary-mmu/core-mm';

/**
 * What an spte keeps of the page it maps:
 *
 * - `'per-spte'`: each spte holds the page reference `get_user_pages` took, put when the
 *   spte is zapped (its dirty state moved to the page first) — KVM from the MMU
 *   notifier's arrival (2.6.27) until ≈2.6.32;
 * - `'none'`: the fault puts the reference right after installing the spte, so an
 *   spte pins nothing and every invalidation must tear down before it returns — KVM
 *   since ≈2.6.32.
 *
 * Kernel counterpart: the `kvm_release_pfn_clean()` / `kvm_release_pfn_dirty()` calls of
 * `rmap_remove()` (2.6.27) versus those right after `mmu_set_spte()` (≈2.6.32 on).
 */
export type KvmSpteRefs = 'per-spte' | 'none';

/** Every {@link KvmSpteRefs}, in a fixed order. Kernel counterpart: none. */
export const KVM_SPTE_REFS: readonly KvmSpteRefs[] = Object.freeze(['per-spte', 'none'] as const);

/**
 * The mode KVM had in `era`: `'per-spte'` in `rfc-2008` and `v2.6.27`, `'none'` in `v6`.
 * Kernel counterpart: none (a summary of KVM's history, see {@link KvmSpteRefs}).
 */
export function eraRefs(era: Era): KvmSpteRefs {
  return era === 'v6' ? 'none' : 'per-spte';
}
