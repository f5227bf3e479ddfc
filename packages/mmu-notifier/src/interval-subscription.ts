import type { IntervalNode, Mm, MmuNotifierRange, Task } from '@secondary-mmu/core-mm';

// The ops table and the subscription name each other, so they live together.

/**
 * `struct mmu_interval_notifier_ops` (5.5+, `v6` only): one callback per interval
 * subscription, called for every invalidation overlapping it.
 */
export interface MmuIntervalNotifierOps {
  /**
   * `invalidate(isub, range, cur_seq)`: take the driver lock, `mmuIntervalSetSeq(isub,
   * curSeq)`, tear down the overlap, drop the lock; return true. When the range is not
   * blockable and that would sleep (the lock is contended), return false: the core
   * answers `-EAGAIN` for the whole range.
   */
  invalidate: (task: Task, subscription: MmuIntervalNotifier, range: MmuNotifierRange, curSeq: number) => boolean | Promise<boolean>;
}

/** Where an interval subscription is: in the tree, queued for insert or remove behind an active invalidation, or out. */
export type IntervalState = 'tree' | 'deferred-insert' | 'deferred-remove' | 'removed';

/**
 * `struct mmu_interval_notifier` (5.5+): a subscription to invalidations overlapping
 * `[start, last]` (inclusive, as the kernel's interval tree) of one mm, with its own
 * `invalidateSeq` for the `readBegin` / `readRetry` protocol (docs/notifier.md).
 */
export class MmuIntervalNotifier {
  readonly ops: MmuIntervalNotifierOps;
  readonly name: string;
  mm: Mm | null = null;
  start = 0;
  /** Inclusive last address (`interval_tree.last`). */
  last = 0;
  /** `interval_sub->invalidate_seq`: odd, set by `mmuIntervalSetSeq` under the driver lock. */
  invalidateSeq = 0;
  state: IntervalState = 'removed';
  /** @internal the tree node while in the tree. */
  node: IntervalNode<MmuIntervalNotifier> | null = null;

  constructor(ops: MmuIntervalNotifierOps, name = 'mmu_interval_notifier') {
    this.ops = ops;
    this.name = name;
  }
}
