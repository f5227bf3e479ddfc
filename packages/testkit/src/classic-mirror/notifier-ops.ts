import { andThen, PAGE_SIZE, type Era } from '@secondary-mmu/core-mm';
import type { MmuNotifierOps } from '@secondary-mmu/mmu-notifier';
import { withMmuLock } from './locked.js';
import type { ClassicMirrorState } from './state.js';

/**
 * The classic mirror's `mmu_notifier_ops`. Every callback only takes `mmu_lock` (a
 * spinlock), so none sleeps: legal under the PT lock (2008 `invalidate_page`, aging)
 * and inside `v2.6.27`'s `rcu_read_lock()`.
 *
 * - `invalidateRangeStart` — under `mmu_lock`: `inProgress++`, zap the range; 0.
 *   Kernel counterpart: `kvm_mmu_notifier_invalidate_range_start`.
 * - `invalidateRangeEnd` — under `mmu_lock`: `invalidateSeq++`, `inProgress--`.
 *   Kernel counterpart: `kvm_mmu_notifier_invalidate_range_end`.
 * - `invalidatePage` (2008 eras only; `v6` never calls it) — under `mmu_lock`: zap the
 *   page, `invalidateSeq++`. Kernel counterpart: `kvm_mmu_notifier_invalidate_page`.
 * - `clearFlushYoung` / `clearYoung` — under `mmu_lock`, test and clear the device
 *   accessed bits in the range, ORed. Kernel counterparts:
 *   `kvm_mmu_notifier_clear_flush_young`, `kvm_mmu_notifier_clear_young`.
 * - `testYoung` — under `mmu_lock`, the accessed bit, not cleared. Kernel counterpart:
 *   `kvm_mmu_notifier_test_young`.
 * - `release` — under `mmu_lock`: close the mirror and zap everything. Kernel
 *   counterpart: `kvm_mmu_notifier_release` (`kvm_flush_shadow_all`).
 */
export function classicMirrorOps(state: ClassicMirrorState, era: Era): MmuNotifierOps {
  const { mmuLock, table } = state;
  const ops: MmuNotifierOps = {
    invalidateRangeStart: (task, _sub, range) =>
      andThen(
        withMmuLock(mmuLock, task, () => {
          state.inProgress++;
          table.zapRange(range.start, range.end);
        }),
        () => 0,
      ),
    invalidateRangeEnd: (task) =>
      withMmuLock(mmuLock, task, () => {
        state.invalidateSeq++;
        state.inProgress--;
      }),
    clearFlushYoung: (task, _sub, _mm, start, end) => withMmuLock(mmuLock, task, () => table.testAndClearYoung(start, end)),
    clearYoung: (task, _sub, _mm, start, end) => withMmuLock(mmuLock, task, () => table.testAndClearYoung(start, end)),
    testYoung: (task, _sub, _mm, address) => withMmuLock(mmuLock, task, () => table.testYoung(address)),
    release: (task) =>
      withMmuLock(mmuLock, task, () => {
        state.closed = true;
        table.zapAll();
      }),
  };
  if (era !== 'v6') {
    ops.invalidatePage = (task, _sub, _mm, address) =>
      withMmuLock(mmuLock, task, () => {
        const page = address - (address % PAGE_SIZE);
        table.zapRange(page, page + PAGE_SIZE);
        state.invalidateSeq++;
      });
  }
  return ops;
}
