import { andThen, PAGE_SIZE, type Machine, type Task } from '@secondary-mmu/core-mm';
import type { MmuNotifier, MmuNotifierOps } from '@secondary-mmu/mmu-notifier';
import type { GruRules } from './flavour.js';
import { GruMmStruct } from './gms.js';

/** The default name of the GRU's notifier, devices and driver. Kernel counterpart: the module name, `gru`. */
export const GRU_NAME = 'gru';

/**
 * The GRU's `mmu_notifier_ops` for `machine`'s era. None sleeps: the flush takes only
 * `ms_asid_lock`, a spinlock, so every callback is legal under the PT lock and inside
 * `v2.6.27`'s `rcu_read_lock()`. No aging callbacks in any era.
 *
 * - `invalidateRangeStart` — `ms_range_active++`, then flush the range from every
 *   context; 0. Kernel counterpart: `gru_invalidate_range_start`.
 * - `invalidateRangeEnd` — `ms_range_active--`, wake the user dropin path. Kernel
 *   counterpart: `gru_invalidate_range_end`.
 * - `invalidatePage` (2008 eras) — flush the page; the count is not touched. Kernel
 *   counterpart: `gru_invalidate_page`.
 * - `release` — set `ms_released`, then unload every context (drop its ASID). Kernel
 *   counterpart: `gru_release` (2.6.27 to 5.3), which only set `ms_released`; since 5.4
 *   the GRU has no `release`. Both leave the TLBs to the GSEG vma's close, which
 *   `exit_mmap` reaches only after it freed the pages: an instruction in flight at exit
 *   reaches freed frames (the release race, docs/notifier.md). The model's engine is
 *   not a thread of the exiting process, so it shows that; `rules.releaseFlushes: false`
 *   is the kernel's choice, kept as a variant.
 * - `allocNotifier` / `freeNotifier` (`v6`) — make the gms for `mmuNotifierGet`, mark
 *   it freed after the last put. Kernel counterparts: `gru_alloc_notifier`,
 *   `gru_free_notifier` (5.4+).
 *
 * `rules.flushesInStart: false` (a variant) moves the flush into `end`, after the
 * decrement.
 */
export function gruMmuOps(machine: Machine, rules: GruRules): MmuNotifierOps {
  const ops: MmuNotifierOps = {
    invalidateRangeStart: (task, sub, range) => {
      const gms = GruMmStruct.of(sub);
      gms.rangeActive++;
      if (!rules.flushesInStart) return 0;
      return andThen(gms.flushTlbRange(task, range.start, range.end), () => 0);
    },
    invalidateRangeEnd: (task, sub, range) => {
      const gms = GruMmStruct.of(sub);
      gms.rangeActive--;
      gms.waitQueue.wakeUp();
      if (!rules.flushesInStart) return gms.flushTlbRange(task, range.start, range.end);
    },
  };
  if (machine.era === 'v6') {
    ops.allocNotifier = (_task: Task, mm) => new GruMmStruct(machine, mm, ops, GRU_NAME).notifier;
    ops.freeNotifier = (sub: MmuNotifier) => {
      GruMmStruct.of(sub).freed = true;
    };
  } else {
    ops.invalidatePage = (task, sub, _mm, address) => {
      const page = address - (address % PAGE_SIZE);
      return GruMmStruct.of(sub).flushTlbRange(task, page, page + PAGE_SIZE);
    };
  }
  if (rules.releaseFlushes) {
    ops.release = (task, sub) => {
      const gms = GruMmStruct.of(sub);
      gms.released = true;
      return gms.unloadAll(task);
    };
  } else if (machine.era !== 'v6') {
    ops.release = (_task, sub) => {
      GruMmStruct.of(sub).released = true;
    };
  }
  return ops;
}
