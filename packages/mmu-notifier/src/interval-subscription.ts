import type { IntervalNode, Mm } from '@secondary-mmu/core-mm';
import type { MmuIntervalNotifierOps } from './ops.js';

/** Where an interval subscription is: in the tree, queued for insert or remove behind an active invalidation, or out. */
export type IntervalState = 'tree' | 'deferred-insert' | 'deferred-remove' | 'removed';

/**
 * `struct mmu_interval_notifier` (5.5+): a subscription to invalidations overlapping
 * `[start, last]` (inclusive, as the kernel's interval tree) of one mm, with its own
 * `invalidateSeq` for the `readBegin` / `readRetry` protocol (KERNEL.md §5).
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
