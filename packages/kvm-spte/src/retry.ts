import type { Era } from '@secondary-mmu/core-mm';
import type { KvmVm } from './vm.js';

/**
 * The guest fault's last check, under `mmu_lock`: must a fault that read `mmuSeq`
 * before resolving `gfn` start over instead of installing? Kernel counterpart: see
 * {@link mmuNotifierRetry} and {@link mmuInvalidateRetryGfn}.
 */
export type KvmRetryCheck = (vm: KvmVm, mmuSeq: number, gfn: number) => boolean;

/**
 * The 2008 check: any invalidation in progress anywhere in the VM, or one completed
 * since `mmuSeq` was read. Kernel counterpart: 2.6.27's `mmu_notifier_retry()`
 * (`mmu_notifier_count`, then `smp_rmb()` and the `mmu_notifier_seq` compare).
 */
export const mmuNotifierRetry: KvmRetryCheck = (vm, mmuSeq) => vm.inProgress > 0 || vm.invalidateSeq !== mmuSeq;

/**
 * The `v6` check: an invalidation in progress whose guest-frame range holds `gfn`, or
 * one completed since `mmuSeq` was read. Faults elsewhere in the VM go on during a long
 * invalidation. Kernel counterpart: `mmu_invalidate_retry_gfn()` (6.3+; before it
 * `mmu_notifier_retry_hva()`), called from `is_page_fault_stale()`.
 */
export const mmuInvalidateRetryGfn: KvmRetryCheck = (vm, mmuSeq, gfn) => {
  const r = vm.invalidateRange;
  if (vm.inProgress > 0 && r !== null && gfn >= r.start && gfn < r.end) return true;
  return vm.invalidateSeq !== mmuSeq;
};

/** The check KVM had in `era`. Kernel counterpart: none. */
export function retryCheckFor(era: Era): KvmRetryCheck {
  return era === 'v6' ? mmuInvalidateRetryGfn : mmuNotifierRetry;
}
