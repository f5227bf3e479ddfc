import type { Mm, MmuNotifierRange, Task } from '@secondary-mmu/core-mm';

// The ops table and the subscription name each other (the callbacks get the
// subscription, the subscription holds its ops), so they live together, as in
// include/linux/mmu_notifier.h.

/**
 * `struct mmu_notifier_ops`: what a secondary MMU implements. Every callback is
 * optional; the core calls only those present. Each takes the calling task first (the
 * kernel's `current`, made explicit). A callback may return a Promise only if it
 * suspends, and suspending is legal only where its era's context allows it: the
 * checkers report a sleep anywhere else (might-sleep), with the call site and the locks
 * held. A callback that throws is a reported `driver-error`; the kernel model goes on.
 *
 * Calling contexts (docs/notifier.md) — `rfc-2008` / `v2.6.27` / `v6`:
 * - the 2008 eras hold the PT lock around the page and young callbacks, and the rmap
 *   locks (spinlocks then) across the walk around them; `v2.6.27` also holds the RCU
 *   read side around every callback but `release`, so nothing may sleep there;
 * - `v6` never holds the PT lock around range callbacks; they may sleep when
 *   `range.blockable`, and must answer `-EAGAIN` instead of sleeping when not.
 */
export interface MmuNotifierOps {
  /**
   * `release`: the mm is going away — tear everything down and stop establishing
   * translations. Called at the start of `exit_mmap`, before any page is freed, or from
   * `mmuNotifierUnregister` if exit did not run it first; it may run twice (since 3ad3d901, 2012).
   * May sleep in every era (`v2.6.27`: inside `rcu_read_lock()`, so in fact it may not).
   */
  release?: (task: Task, subscription: MmuNotifier, mm: Mm) => void | Promise<void>;
  /**
   * `clear_flush_young` (`age_page` in the RFC): test and clear the secondary's accessed
   * bits for `[start, end)` and flush its TLB; true if any was set. The caller ORs it
   * with the primary young bit. A secondary with no accessed bit may drop the mapping
   * and return whether one existed. PT lock held, rmap lock held: never sleeps.
   */
  clearFlushYoung?: (task: Task, subscription: MmuNotifier, mm: Mm, start: number, end: number) => boolean | Promise<boolean>;
  /** `clear_young` (≈4.3+): as `clearFlushYoung` without the secondary TLB flush. Never sleeps. */
  clearYoung?: (task: Task, subscription: MmuNotifier, mm: Mm, start: number, end: number) => boolean | Promise<boolean>;
  /** `test_young` (2.6.38+): read-only test of the secondary's accessed bit at `address`. Never sleeps. */
  testYoung?: (task: Task, subscription: MmuNotifier, mm: Mm, address: number) => boolean | Promise<boolean>;
  /**
   * `invalidate_page` (2008 eras; removed in 4.13): the PTE at `address` was just cleared
   * and flushed (`ptep_clear_flush`) — drop the secondary's translation of it. Called
   * from rmap walks (and `v2.6.27`'s COW fault) with the PT lock held: never sleeps.
   */
  invalidatePage?: (task: Task, subscription: MmuNotifier, mm: Mm, address: number) => void | Promise<void>;
  /**
   * `invalidate_range_start` (`invalidate_range_begin` in the RFC): the PTEs of the
   * range are about to change; pages are still mapped and referenced. A driver without
   * page references must have torn down everything in the range when this returns.
   * Return 0, or `-EAGAIN` (only when `!range.blockable`, and only if the driver has no
   * `invalidateRangeEnd`). May sleep when `range.blockable` (`v2.6.27`: never).
   */
  invalidateRangeStart?: (task: Task, subscription: MmuNotifier, range: MmuNotifierRange) => number | Promise<number>;
  /**
   * `invalidate_range_end`: the PTEs are cleared and the TLB flushed; pages may already
   * be freed. Drivers that hold page references tear down here, flushing before they
   * drop the last reference. Same context as start.
   */
  invalidateRangeEnd?: (task: Task, subscription: MmuNotifier, range: MmuNotifierRange) => void | Promise<void>;
  /**
   * `arch_invalidate_secondary_tlbs` (`invalidate_range` ≈3.19–6.5; `v6` only): for TLBs
   * sharing the CPU page table — called from TLB-flush paths, often under the PT lock.
   * Never sleeps. A notifier implementing it may not implement start/end (EINVAL).
   */
  archInvalidateSecondaryTlbs?: (task: Task, subscription: MmuNotifier, mm: Mm, start: number, end: number) => void | Promise<void>;
  /** `alloc_notifier` (5.4+): make the subscription `mmuNotifierGet` registers. Caller holds the mmap write lock. */
  allocNotifier?: (task: Task, mm: Mm) => MmuNotifier;
  /** `free_notifier` (5.4+): after the last `mmuNotifierPut` and an SRCU grace period. */
  freeNotifier?: (subscription: MmuNotifier) => void;
}

/**
 * `struct mmu_notifier`: one subscription of a secondary MMU to one mm. Drivers make
 * one per address space they mirror (or let `mmuNotifierGet` make it through
 * `allocNotifier`), then `mmuNotifierRegister` it. The `name` names the driver in
 * violations and traces.
 */
export class MmuNotifier {
  readonly ops: MmuNotifierOps;
  readonly name: string;
  /** `subscription->mm`: set by registration, kept after unregister (the kernel keeps an mm_count). */
  mm: Mm | null = null;
  /** `subscription->users`: references from `mmuNotifierGet` (1 after a plain register). */
  users = 0;
  /** On its mm's list: `!hlist_unhashed(&subscription->hlist)`. */
  listed = false;
  /** Set once `freeNotifier` ran (after the last put and a grace period). */
  freed = false;

  constructor(ops: MmuNotifierOps, name = 'mmu_notifier') {
    this.ops = ops;
    this.name = name;
  }
}
