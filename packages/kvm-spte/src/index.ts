/**
 * `@secondary-mmu/kvm-spte`: a KVM-like shadow / TDP page-table driver over the
 * secondary-mmu-sdk model — a VM with memslots, one spte per guest frame (accessed and
 * dirty bits), `mmu_lock`, the `mmu_invalidate_seq` / in-progress guest-fault retry,
 * remote TLB flushes, and the MMU-notifier callbacks each kernel era's
 * `virt/kvm/kvm_main.c` had; sptes holding page references (2.6.27) or not (≈2.6.32 on).
 * Its factory is the testkit's `DriverFactory` structurally.
 *
 * @packageDocumentation
 */
export { kvmSpte, kvmSpteHoldingRefs, kvmSpteForEra, createKvmSpte, attachKvmSpte, KVM_SPTE_NAME, type KvmSpteFactory, type KvmSpteOptions, type KvmSpteAttachOptions } from './factory.js';
export { kvmSpteCapabilities, type KvmSpteCapabilities } from './capabilities.js';
export { KvmSpteInstance } from './instance.js';
export { KvmVm, type InvalidateRange } from './vm.js';
export { Memslot, MemslotTable, IDENTITY_MEMSLOT, type MemslotSpec } from './memslot.js';
export { addMemslot, deleteMemslot } from './memslot-ops.js';
export { Spte } from './spte.js';
export { SpteTable } from './spte-table.js';
export { RemoteTlb } from './remote-tlb.js';
export { kvmGuestFault, KVM_SPTE_MAX_FAULT_ATTEMPTS, KVM_SPTE_RETRY_BACKOFF_NS } from './fault.js';
export { mmuNotifierRetry, mmuInvalidateRetryGfn, retryCheckFor, type KvmRetryCheck } from './retry.js';
export { resolvePfn, releasePfn, heldRef, type ResolvedPfn } from './resolve.js';
export { kvmNotifierOps2008 } from './notifier-ops-2008.js';
export { kvmNotifierOpsV6 } from './notifier-ops-v6.js';
export { zapHvaRange } from './zap.js';
export { countYoung } from './young.js';
export { ageRange, ageWithoutABits, testAge } from './age-without-a-bits.js';
export { withMmuLock } from './locked.js';
export { eraRefs, KVM_SPTE_REFS, type KvmSpteRefs } from './refs.js';
export { newKvmSpteStats, type KvmSpteStats } from './stats.js';
