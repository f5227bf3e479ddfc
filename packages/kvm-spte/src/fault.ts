import { SmmuError, type Task } from '@secondary-mmu/core-mm';
import { heldRef, releasePfn, resolvePfn } from './resolve.js';
import type { KvmRetryCheck } from './retry.js';
import { Spte } from './spte.js';
import type { KvmVm } from './vm.js';

/** Virtual ns a fault that found an invalidation in progress waits before trying again. Kernel counterpart: the vCPU re-entering the guest and faulting again (`RET_PF_RETRY`). */
export const KVM_SPTE_RETRY_BACKOFF_NS = 100;

/** Attempts after which a fault gives up with EAGAIN (an invalidation storm). Kernel counterpart: none — the model's livelock guard; KVM retries for ever. */
export const KVM_SPTE_MAX_FAULT_ATTEMPTS = 1000;

/**
 * A guest fault on `gfn`, with Arcangeli's sequence / in-progress retry:
 *
 * ```
 * loop {
 *   slot = gfn_to_memslot(gfn)                     // none: EFAULT (no guest memory there)
 *   mmu_seq = vm.invalidateSeq                     // read before resolving
 *   pfn = get_user_pages(slot.hva(gfn))            // mmap_lock read; may sleep; no mmu_lock
 *   spin_lock(mmu_lock)
 *   if (closed, mm gone)           { put; EFAULT }
 *   if (slot deleted || retry(mmu_seq, gfn)) { put; spin_unlock; back off if busy; again }
 *   install spte(gfn -> pfn)       // 'per-spte': the spte keeps the reference
 *   spin_unlock                    // 'none': put now
 * }
 * ```
 *
 * An invalidation that ran between the resolve and the lock found no spte to zap; the
 * check makes the fault see it and start over instead of installing a stale spte.
 * `retry` is that check — the era's ({@link retryCheckFor}) unless a variant injects a
 * broken one. Returns the installed spte, still present (an invalidation may zap it
 * the moment `mmu_lock` drops: the caller then faults again).
 *
 * Kernel counterpart: `kvm_mmu_page_fault()` → 2.6.27's `tdp_page_fault()` /
 * `nonpaging_map()` (`mmu_seq = kvm->mmu_notifier_seq; smp_rmb(); gfn_to_pfn();
 * spin_lock(); if (mmu_notifier_retry()) goto out_unlock;`), today's
 * `kvm_tdp_page_fault()` (`kvm_faultin_pfn()`, `is_page_fault_stale()`).
 */
export async function kvmGuestFault(vm: KvmVm, task: Task, gfn: number, write: boolean, retry: KvmRetryCheck): Promise<Spte | undefined> {
  vm.stats.faults++;
  for (let attempt = 0; attempt < KVM_SPTE_MAX_FAULT_ATTEMPTS; attempt++) {
    if (vm.closed) throw closed(vm, gfn);
    const slot = vm.memslots.byGfn(gfn);
    if (slot === undefined) throw new SmmuError('EFAULT', `${vm.device.name}: gfn 0x${gfn.toString(16)} is in no memslot`);
    const mmuSeq = vm.invalidateSeq;
    const { pfn, writable } = await resolvePfn(vm, task, slot.hvaOf(gfn), write);
    await vm.mmuLock.lock(task);
    let installed: Spte | undefined;
    let busy = false;
    try {
      if (vm.closed || vm.mm.dead) {
        releasePfn(vm, task, pfn);
        throw closed(vm, gfn);
      }
      if (slot.deleted || retry(vm, mmuSeq, gfn)) {
        vm.stats.retries++;
        busy = vm.inProgress > 0;
        releasePfn(vm, task, pfn);
      } else {
        const handle = vm.device.establish(task, vm.mm, slot.hvaOf(gfn), pfn, { writable });
        installed = new Spte(gfn, slot, handle, heldRef(vm, pfn));
        vm.sptes.install(task, installed);
        vm.stats.installs++;
        if (installed.ref === null) releasePfn(vm, task, pfn);
      }
    } finally {
      await vm.mmuLock.unlock(task);
    }
    if (installed !== undefined) return installed.handle.live ? installed : undefined;
    if (busy) await vm.machine.sched.sleep(task, KVM_SPTE_RETRY_BACKOFF_NS);
  }
  throw new SmmuError('EAGAIN', `${vm.device.name}: fault on gfn 0x${gfn.toString(16)} raced invalidations ${KVM_SPTE_MAX_FAULT_ATTEMPTS} times`);
}

function closed(vm: KvmVm, gfn: number): SmmuError {
  return new SmmuError('EFAULT', `${vm.device.name}: fault on gfn 0x${gfn.toString(16)}: the VM's mm is gone or the VM is closed`);
}
