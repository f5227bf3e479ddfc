import { kvmSpte, makeKvmSpteFactory } from '../factory.js';
import { kvmNotifierOpsV6 } from '../notifier-ops-v6.js';
import { TWO_ZAPS_VS_VCPU_READ } from './scenarios/two-zaps-vs-vcpu-read.js';
import type { KvmSpteVariant } from './variant.js';

/**
 * `v6` with 2.6.27's flush placement but without its page references: each callback
 * zaps under `mmu_lock` and flushes the remote TLBs after `spin_unlock`. In that gap
 * another invalidation of the same page finds its sptes already zapped, skips the flush
 * and returns; its caller frees the page while a vCPU still reaches it through its TLB.
 * (In 2.6.27 the spte's page reference kept the page.) A race: the second invalidation
 * must run in the gap. Kernel counterpart: `kvm_mmu_notifier_invalidate_range_start()`
 * / `_release()` flushing after `KVM_MMU_UNLOCK()` — what KVM fixed in 3.4 ("KVM:
 * mmu_notifier: Flush TLBs before releasing mmu_lock").
 */
export const FLUSH_AFTER_UNLOCK: KvmSpteVariant = Object.freeze({
  name: 'kvm-spte-flush-after-unlock',
  bug: 'v6 without page references flushes the remote TLBs after dropping mmu_lock: a concurrent invalidation skips the flush and its caller frees a page a vCPU still reaches',
  race: true,
  driver: makeKvmSpteFactory({ name: 'kvm-spte-flush-after-unlock', refs: 'none', ops: (vm) => kvmNotifierOpsV6(vm, 'after-unlock') }),
  reference: kvmSpte,
  scenario: TWO_ZAPS_VS_VCPU_READ,
  era: 'v6',
  // A vCPU access through the zapped, unflushed spte: to a freed frame, or one the aging
  // callback (which sees only the table) cannot see — each a symptom of the stale TLB.
  expectedKinds: Object.freeze(['use-after-free', 'access-in-invalidation', 'aging']),
  schedules: 300,
});
