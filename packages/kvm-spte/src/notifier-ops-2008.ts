import { andThen, PAGE_SIZE } from '@secondary-mmu/core-mm';
import type { MmuNotifierOps } from '@secondary-mmu/mmu-notifier';
import { ageRange } from './age-without-a-bits.js';
import { withMmuLock } from './locked.js';
import type { KvmVm } from './vm.js';
import { countYoung } from './young.js';
import { zapHvaRange } from './zap.js';

/**
 * The VM's `mmu_notifier_ops` in the 2008 eras (`rfc-2008`, `v2.6.27`), as
 * 2.6.27's `virt/kvm/kvm_main.c` had them: four callbacks, each under `mmu_lock` (a
 * spinlock: legal under the PT lock and inside `rcu_read_lock()`), the remote TLB flush
 * after `spin_unlock` — safe then because the caller still holds the pages until the
 * callback returns, and the flush comes before it does.
 *
 * - `invalidatePage` — `seq++`, zap the page's sptes; unlock; flush if any. Kernel
 *   counterpart: `kvm_mmu_notifier_invalidate_page`.
 * - `invalidateRangeStart` — `inProgress++`, zap the range; unlock; flush if any.
 *   Kernel counterpart: `kvm_mmu_notifier_invalidate_range_start`.
 * - `invalidateRangeEnd` — `seq++`, `inProgress--`. Kernel counterpart:
 *   `kvm_mmu_notifier_invalidate_range_end`.
 * - `clearFlushYoung` — test and clear the sptes' accessed bits; unlock; flush if young.
 *   Kernel counterpart: `kvm_mmu_notifier_clear_flush_young` (`kvm_age_hva`).
 *
 * No `release`: 2.6.27's KVM had none. Its sptes held page references, so an exiting mm
 * freed nothing they mapped; they went when the VM was destroyed.
 */
export function kvmNotifierOps2008(vm: KvmVm): MmuNotifierOps {
  const { mmuLock, tlb } = vm;
  return {
    invalidatePage: (task, _sub, _mm, address) => {
      const page = address - (address % PAGE_SIZE);
      const zapped = withMmuLock(mmuLock, task, () => {
        vm.invalidateSeq++;
        return zapHvaRange(vm, page, page + PAGE_SIZE);
      });
      return andThen(zapped, (n) => {
        if (n > 0) tlb.flush(task);
      });
    },
    invalidateRangeStart: (task, _sub, range) => {
      const zapped = withMmuLock(mmuLock, task, () => {
        vm.inProgress++;
        return zapHvaRange(vm, range.start, range.end);
      });
      return andThen(zapped, (n) => {
        if (n > 0) tlb.flush(task);
        return 0;
      });
    },
    invalidateRangeEnd: (task) =>
      withMmuLock(mmuLock, task, () => {
        vm.invalidateSeq++;
        vm.inProgress--;
      }),
    clearFlushYoung: (task, _sub, _mm, start, end) =>
      andThen(
        withMmuLock(mmuLock, task, () => ageRange(vm, start, end)),
        (young) => {
          if (young) tlb.flush(task);
          return countYoung(vm, young);
        },
      ),
  };
}
