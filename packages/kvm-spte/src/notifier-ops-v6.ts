import { andThen, type Task } from '@secondary-mmu/core-mm';
import type { MmuNotifierOps } from '@secondary-mmu/mmu-notifier';
import { ageRange, testAge } from './age-without-a-bits.js';
import { withMmuLock } from './locked.js';
import type { KvmVm } from './vm.js';
import { countYoung } from './young.js';

/**
 * The VM's `mmu_notifier_ops` in `v6`, as `virt/kvm/kvm_main.c` has them: every
 * callback under `mmu_lock`, the remote TLB flush before `spin_unlock`, and the
 * in-progress bookkeeping only for ranges that touch a memslot.
 *
 * - `invalidateRangeStart` — `activeInvalidations++`; under the lock, for each memslot
 *   the range overlaps: the first one `inProgress++` (resetting the range when it is the
 *   only invalidation), add its guest frames to the range, zap them; flush if any zapped;
 *   0. Kernel counterpart: `kvm_mmu_notifier_invalidate_range_start` →
 *   `kvm_handle_hva_range` (`kvm_mmu_invalidate_begin`, `kvm_mmu_invalidate_range_add`,
 *   `kvm_mmu_unmap_gfn_range`, `flush_on_ret`).
 * - `invalidateRangeEnd` — if the range touches a memslot, under the lock `seq++`,
 *   `inProgress--`; then `activeInvalidations--`. Kernel counterpart:
 *   `kvm_mmu_notifier_invalidate_range_end` (`kvm_mmu_invalidate_end`).
 * - `clearFlushYoung` — test and clear the accessed bits (without them: see
 *   `ageWithoutABits`); flush if young, under the lock. Kernel counterpart: `kvm_mmu_notifier_clear_flush_young` (`kvm_age_gfn`).
 * - `clearYoung` — the same without the flush (but for sptes aging made non-present).
 *   Kernel counterpart: `kvm_mmu_notifier_clear_young`.
 * - `testYoung` — the accessed bit, not cleared. Kernel counterpart:
 *   `kvm_mmu_notifier_test_young` (`kvm_test_age_gfn`).
 * - `release` — close the VM, zap every spte, flush. Kernel counterpart:
 *   `kvm_mmu_notifier_release` (`kvm_flush_shadow_all`).
 *
 * No `invalidatePage`: the kernel removed it in 4.13.
 *
 * `flush` `'after-unlock'` (a variant's bug, 2.6.27's placement without its page
 * references) flushes after `spin_unlock` instead: another thread then finds the sptes
 * already zapped, skips the flush and returns while a vCPU can still reach the page —
 * the race KVM closed in 3.4 ("KVM: mmu_notifier: Flush TLBs before releasing mmu_lock").
 */
export function kvmNotifierOpsV6(vm: KvmVm, flush: 'under-lock' | 'after-unlock' = 'under-lock'): MmuNotifierOps {
  const { mmuLock, tlb } = vm;
  const locked = <T>(task: Task, body: () => T): T | Promise<T> => withMmuLock(mmuLock, task, body);
  /** Run `body` under `mmu_lock`; flush the remote TLBs when it asks, where `flush` says. */
  const flushing = <T>(task: Task, body: () => readonly [T, boolean]): T | Promise<T> => {
    const flushed = ([result, needed]: readonly [T, boolean]): T => {
      if (needed) tlb.flush(task);
      return result;
    };
    return flush === 'under-lock' ? locked(task, () => flushed(body())) : andThen(locked(task, body), flushed);
  };
  return {
    invalidateRangeStart: (task, _sub, range) => {
      vm.activeInvalidations++;
      return flushing(task, () => {
        let zapped = 0;
        let begun = false;
        for (const { gfns } of vm.memslots.overlapping(range.start, range.end)) {
          if (!begun) {
            begun = true;
            vm.inProgress++;
            if (vm.inProgress === 1) vm.invalidateRange = null;
          }
          const r = vm.invalidateRange;
          vm.invalidateRange = r === null ? { start: gfns[0], end: gfns[1] } : { start: Math.min(r.start, gfns[0]), end: Math.max(r.end, gfns[1]) };
          zapped += vm.sptes.zapGfns(gfns[0], gfns[1]);
        }
        return [0, zapped > 0] as const;
      });
    },
    invalidateRangeEnd: (task, _sub, range) =>
      andThen(
        locked(task, () => {
          if (vm.memslots.overlapping(range.start, range.end).length === 0) return;
          vm.invalidateSeq++;
          vm.inProgress--;
        }),
        () => {
          vm.activeInvalidations--;
        },
      ),
    clearFlushYoung: (task, _sub, _mm, start, end) =>
      flushing(task, () => {
        const young = countYoung(vm, ageRange(vm, start, end));
        return [young, young] as const;
      }),
    clearYoung: (task, _sub, _mm, start, end) =>
      flushing(task, () => {
        const young = countYoung(vm, ageRange(vm, start, end));
        return [young, young && !vm.accessedBits] as const; // sptes made non-present must go from the TLBs
      }),
    testYoung: (task, _sub, _mm, address) => locked(task, () => countYoung(vm, testAge(vm, address))),
    release: (task) =>
      flushing(task, () => {
        vm.closed = true;
        return [undefined, vm.sptes.zapAll() > 0] as const;
      }),
  };
}
