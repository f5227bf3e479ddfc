import { PAGE_SIZE } from '@secondary-mmu/core-mm';
import type { KvmVm } from './vm.js';
import { zapHvaRange } from './zap.js';

/**
 * Aging of the sptes over host range `[start, end)` when they have no hardware accessed
 * bit (EPT without A/D bits), under `mmu_lock`; returns the answer, "young" or not.
 *
 * - 2008 eras: "old", and nothing changes — 2.6.27's `kvm_age_rmapp()` returned 0 when
 *   `shadow_accessed_mask` was 0 ("always return old for EPT"): reclaim then sees no
 *   guest use at all.
 * - `v6`: every present spte of the range is made non-present and the answer is "young"
 *   if there was one — a present spte is one the guest faulted in since the last aging;
 *   the next guest access faults it back. Kernel counterpart: the TDP MMU's access
 *   tracking (`kvm_tdp_mmu_age_gfn_range()` → `mark_spte_for_access_track()`), which
 *   keeps the spte's bits and restores them in the fast page fault; the model zaps the
 *   spte (the caller flushes) and the next access takes a full guest fault.
 *
 * Kernel counterpart: `kvm_age_gfn()` / 2.6.27's `kvm_age_hva()` without A bits.
 */
export function ageWithoutABits(vm: KvmVm, start: number, end: number): boolean {
  if (vm.era !== 'v6') return false;
  return zapHvaRange(vm, start, end) > 0;
}

/**
 * Test and clear the range's young state, by whichever means the sptes have: their
 * accessed bits, or {@link ageWithoutABits}. Kernel counterpart: `kvm_age_gfn()`.
 */
export function ageRange(vm: KvmVm, start: number, end: number): boolean {
  return vm.accessedBits ? vm.sptes.testAndClearYoung(start, end) : ageWithoutABits(vm, start, end);
}

/**
 * Was the host page at `hva` used since it was last aged? With accessed bits, an spte's
 * bit; without, whether a present spte (aging made the others non-present) has been
 * used. Clears nothing. Kernel counterpart: `kvm_test_age_gfn()`. Difference: KVM
 * marks an spte a guest fault installs as accessed at once (`make_spte()`), the fault
 * being part of the access; the model's vCPU faults and then accesses, with a preemption
 * point between, so "used" is the vCPU's first access through the spte, not its install.
 */
export function testAge(vm: KvmVm, hva: number): boolean {
  if (vm.accessedBits) return vm.sptes.testYoung(hva);
  const page = hva - (hva % PAGE_SIZE);
  return vm.sptes.list().some((s) => s.hva === page && s.handle.accessed);
}
