import { andThen, EAGAIN, ensure, TASK_SIZE, type IntervalTree, type Mm, type MmuNotifierRange, type SpinLock, type Task, type WaitQueue } from '@secondary-mmu/core-mm';
import type { NotifierCore } from './core.js';
import { each } from './each.js';
import type { MmuIntervalNotifier } from './interval-subscription.js';
import { rangeWhere } from './range-where.js';

/**
 * The writer side of the interval-notifier sequence (mm/mmu_notifier.c, 5.5+): a
 * collision-retry scheme like a seqcount that several invalidations may hold at once.
 * `invalidate_seq` is even when idle; the first invalidation overlapping any interval
 * makes it odd, and the last end makes it even again, applies the deferred tree
 * changes and wakes `readBegin` and remove waiters.
 */

/**
 * The interval-tree part of `struct mmu_notifier_subscriptions` the writer side works
 * on. `MmuNotifierSubscriptions` has it; naming only this part keeps this file below
 * subscriptions.ts, which calls it.
 */
export interface ItreeState {
  readonly mm: Mm;
  readonly core: Pick<NotifierCore, 'invoke' | 'warn'>;
  /** `subscriptions->lock`. */
  readonly lock: SpinLock;
  /** `invalidate_seq`: odd while an invalidation overlaps an interval. */
  invalidateSeq: number;
  /** `mn_itree_is_invalidating()`. */
  readonly itreeInvalidating: boolean;
  /** `active_invalidate_ranges`. */
  activeInvalidateRanges: number;
  readonly itree: IntervalTree<MmuIntervalNotifier>;
  /** `deferred_list`. */
  readonly deferred: MmuIntervalNotifier[];
  /** `subscriptions->wq`. */
  readonly wq: WaitQueue;
}

/** `mn_itree_inv_start_range()`: count the range; odd seq if any interval overlaps. Returns the overlapping subscriptions and `cur_seq`. */
function invStartRange(task: Task, subs: ItreeState, range: MmuNotifierRange): { hits: MmuIntervalNotifier[]; seq: number } | Promise<{ hits: MmuIntervalNotifier[]; seq: number }> {
  return andThen(subs.lock.lock(task), () => {
    subs.activeInvalidateRanges++;
    const hits = subs.itree.overlapping(range.start, range.end - 1);
    if (hits.length > 0) subs.invalidateSeq |= 1;
    const seq = subs.invalidateSeq;
    return andThen(subs.lock.unlock(task), () => ({ hits, seq }));
  });
}

/**
 * `mn_itree_invalidate()`: each overlapping subscription's `invalidate(range, cur_seq)`.
 * A false answer is allowed only when the range is not blockable: the pass stops, the
 * sequence's end is run at once (the caller will make no end call) and `-EAGAIN` is
 * returned. A false answer in a blockable range is the kernel's WARN, then ignored.
 */
export function itreeInvalidate(task: Task, subs: ItreeState, range: MmuNotifierRange): number | Promise<number> {
  return andThen(invStartRange(task, subs, range), ({ hits, seq }) => {
    let failed = false;
    const step = (i: number): void | Promise<void> => {
      for (; i < hits.length && !failed; i++) {
        const isub = hits[i]!;
        const r = callInvalidate(task, subs, isub, range, seq);
        const next = i + 1;
        const judge = (ok: boolean): void => {
          if (ok) return;
          if (range.blockable) subs.core.warn(task, `${isub.name}: interval invalidate returned false in a blockable range`);
          else failed = true;
        };
        if (r instanceof Promise) return r.then((ok) => (judge(ok), step(next)));
        judge(r);
      }
    };
    return andThen(step(0), () => (failed ? andThen(itreeInvEnd(task, subs), () => EAGAIN) : 0));
  });
}

function callInvalidate(task: Task, subs: ItreeState, isub: MmuIntervalNotifier, range: MmuNotifierRange, seq: number): boolean | Promise<boolean> {
  // A throwing driver is reported (driver-error) and counted as done, so the pass goes on to the others.
  return subs.core.invoke(task, isub, 'interval_invalidate', rangeWhere(range), true, () => isub.ops.invalidate(task, isub, range, seq));
}

/** `mn_itree_inv_end()`: the last active range makes the seq even, applies deferred inserts/removes and wakes waiters. */
export function itreeInvEnd(task: Task, subs: ItreeState): void | Promise<void> {
  return andThen(subs.lock.lock(task), () => {
    if (--subs.activeInvalidateRanges > 0 || !subs.itreeInvalidating) return subs.lock.unlock(task);
    subs.invalidateSeq++;
    for (const isub of subs.deferred) {
      if (isub.state === 'deferred-insert') {
        isub.node = subs.itree.insert(isub.start, isub.last, isub);
        isub.state = 'tree';
      } else if (isub.state === 'deferred-remove') {
        if (isub.node !== null) subs.itree.remove(isub.node);
        isub.node = null;
        isub.state = 'removed';
      }
    }
    subs.deferred.length = 0;
    return andThen(subs.lock.unlock(task), () => subs.wq.wakeUp());
  });
}

/**
 * `mn_itree_release()`: at exit, one blockable RELEASE invalidation over the whole
 * address space to every interval subscription (a false answer is the kernel's WARN).
 */
export function itreeRelease(task: Task, subs: ItreeState): void | Promise<void> {
  const range: MmuNotifierRange = { mm: subs.mm, start: 0, end: TASK_SIZE, event: 'release', blockable: true, owner: null };
  return andThen(invStartRange(task, subs, range), ({ hits, seq }) =>
    ensure(
      () =>
        each(hits, (isub) =>
          andThen(callInvalidate(task, subs, isub, range, seq), (ok) => {
            if (!ok) subs.core.warn(task, `${isub.name}: interval invalidate returned false for the RELEASE range`);
          }),
        ),
      () => itreeInvEnd(task, subs),
    ),
  );
}
