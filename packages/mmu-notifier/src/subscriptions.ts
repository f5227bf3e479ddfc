import {
  EAGAIN,
  IntervalTree,
  PAGE_SIZE,
  SpinLock,
  WaitQueue,
  andThen,
  ensure,
  mightSleep,
  type Mm,
  type MmuNotifierRange,
  type SecondaryMmuPort,
  type Task,
} from '@secondary-mmu/core-mm';
import type { NotifierCore } from './core.js';
import { each } from './each.js';
import { FlushBrackets } from './flush-brackets.js';
import type { MmuIntervalNotifier } from './interval-subscription.js';
import { itreeInvalidate, itreeInvEnd, itreeRelease } from './itree.js';
import { rangeWhere } from './range-where.js';
import type { MmuNotifier } from './subscription.js';

/**
 * `struct mmu_notifier_subscriptions`: one per mm, made by the first registration and
 * attached as the mm's secondary-MMU port. It holds the classic subscription list
 * (`hlist`, newest first), the interval tree with its sequence (`invalidate_seq`, even
 * when idle, odd while an invalidation overlaps an interval), the count of active
 * ranges, the deferred interval inserts/removes and the wait queue `readBegin` and
 * remove sleep on. Dispatch follows mm/mmu_notifier.c per era; core-mm has already set
 * the call site's context (locks, non-block section, `v2.6.27`'s RCU read side).
 */
export class MmuNotifierSubscriptions implements SecondaryMmuPort {
  /** Identifies the notifier core's port on an mm across copies of this package (no `instanceof`). */
  readonly brand = SUBSCRIPTIONS_BRAND;
  readonly mm: Mm;
  readonly core: NotifierCore;
  /**
   * `subscriptions->list`, newest first. Copy-on-write: changes (rare) replace the
   * array, so a walk keeps the array it started with and allocates nothing — as an RCU
   * walker keeps following the entries it reached.
   */
  list: readonly MmuNotifier[] = EMPTY;
  /** `subscriptions->has_itree`. */
  hasItree = false;
  /** `subscriptions->lock`: serialises list changes and the interval sequence. */
  readonly lock: SpinLock;
  /** `invalidate_seq`: starts at 2. */
  invalidateSeq = 2;
  /** `active_invalidate_ranges`. */
  activeInvalidateRanges = 0;
  readonly itree = new IntervalTree<MmuIntervalNotifier>();
  /** `subscriptions->wq`. */
  readonly wq: WaitQueue;
  /** `deferred_list`. */
  readonly deferred: MmuIntervalNotifier[] = [];
  /** `v6`: the brackets each task has open or just closed, for the event of its TLB flushes. */
  private readonly brackets = new FlushBrackets();

  constructor(core: NotifierCore, mm: Mm) {
    this.core = core;
    this.mm = mm;
    this.lock = new SpinLock(core.kernel, 'mmu_notifier_subscriptions.lock');
    this.wq = new WaitQueue(core.kernel, 'mmu_notifier_subscriptions.wq');
  }

  /** `mn_itree_is_invalidating()`. */
  get itreeInvalidating(): boolean {
    return (this.invalidateSeq & 1) === 1;
  }

  /** The listed subscriptions now; walkers skip entries unlisted meanwhile (`hlist_for_each_entry_rcu`). */
  private snapshot(): readonly MmuNotifier[] {
    return this.list;
  }

  /** `hlist_add_head_rcu()`; the caller holds the lock. */
  add(sub: MmuNotifier): void {
    this.list = [sub, ...this.list];
  }

  /** `__mmu_notifier_release()`: interval subscribers first (`v6`), then the list, in the era's order. */
  release(task: Task, mm: Mm): void | Promise<void> {
    const itree = this.hasItree ? itreeRelease(task, this) : undefined;
    // Today's `__mmu_notifier_release` skips an empty list; the 2008 code always ended
    // with `synchronize_rcu()`, so exit waits for a `->release` a racing unregister runs.
    if (this.core.releaseOrder === 'unlist-first') return andThen(itree, () => this.unlistFirst(task, mm));
    return andThen(itree, () => (this.list.length === 0 ? undefined : this.releaseFirst(task, mm)));
  }

  /** `mn_hlist_release()` (its order since 3.10): `->release` for every listed subscription under SRCU, then unlist all, then wait for SRCU. */
  private releaseFirst(task: Task, mm: Mm): void | Promise<void> {
    const ticket = this.core.readLock(task);
    const released = ensure(
      () => each(this.snapshot(), (sub) => (sub.listed ? this.callRelease(task, sub, mm) : undefined)),
      () => {
        const locked = this.lock.lock(task);
        return andThen(locked, () => {
          while (this.list.length > 0) this.unlist(task, this.list[0]!);
          return andThen(this.lock.unlock(task), () => this.core.readUnlock(task, ticket));
        });
      },
    );
    return andThen(released, () => this.core.synchronize(task));
  }

  /**
   * The old ordering (`v2.6.27`'s `__mmu_notifier_release`, kept until 3ad3d901 in
   * 2012 and brought back in 3.9): take the first listed subscription off the list
   * under the lock, then call its `->release` inside the read side; repeat; then wait
   * for readers. Between the unlist and `->release` no other hook reaches that
   * subscriber: the release race (docs/notifier.md).
   */
  private unlistFirst(task: Task, mm: Mm): void | Promise<void> {
    const next = (): void | Promise<void> =>
      andThen(this.lock.lock(task), () => {
        const sub = this.list[0];
        if (sub === undefined) return this.lock.unlock(task);
        this.unlist(task, sub);
        const ticket = this.core.readLock(task);
        return andThen(this.lock.unlock(task), () => andThen(ensure(() => this.callRelease(task, sub, mm), () => this.core.readUnlock(task, ticket)), next));
      });
    return andThen(next(), () => this.core.synchronize(task));
  }

  /** Unlist one subscription (`hlist_del_init_rcu`); the caller holds the lock. */
  unlist(task: Task | null, sub: MmuNotifier): void {
    if (!sub.listed) return;
    sub.listed = false;
    this.list = this.list.length === 1 ? EMPTY : this.list.filter((s) => s !== sub);
    this.core.lifecycle('unlisted', sub, this.mm, task);
  }

  /** Call `->release` of one subscription, if it has one (blockable but in `v2.6.27`, which calls it under `rcu_read_lock()`). */
  callRelease(task: Task, sub: MmuNotifier, mm: Mm): void | Promise<void> {
    const release = sub.ops.release;
    if (release === undefined) return;
    return this.core.invoke(task, sub, 'release', { mm, start: -1, end: -1, pfn: -1, event: null, blockable: !this.core.rcuLifetime }, undefined, () => release.call(sub.ops, task, sub, mm));
  }

  /**
   * `__mmu_notifier_invalidate_range_start()`. `v6`: might_sleep when blockable, the
   * start-map pseudo-lock held around the passes, the interval pass first (a failure
   * there skips the list), then the list with the 5.12 failure rules. 2008 eras: each
   * subscriber's start, return value ignored (the API had none).
   */
  invalidateRangeStart(task: Task, range: MmuNotifierRange): number | Promise<number> {
    if (this.core.era !== 'v6') return andThen(this.startList2008(task, range), () => 0);
    if (range.blockable) mightSleep(task, 'mmu_notifier_invalidate_range_start');
    this.brackets.begin(task, range);
    this.core.startMap.acquire(task);
    const ret = ensure(
      () => {
        const itree = this.hasItree ? itreeInvalidate(task, this, range) : 0;
        return andThen(itree, (ret) => (ret !== 0 || this.list.length === 0 ? ret : this.startList(task, range)));
      },
      () => this.core.startMap.release(task),
    );
    // A failed non-blockable start gets no end call: its bracket is over.
    return andThen(ret, (r) => {
      if (r !== 0 && !range.blockable) this.brackets.end(task, range, false);
      return r;
    });
  }

  /** `mn_hlist_invalidate_range_start()`. */
  private startList(task: Task, range: MmuNotifierRange): number | Promise<number> {
    let ret = 0;
    const ticket = this.core.callbackReadLock(task);
    const subs = this.snapshot();
    const started = each(subs, (sub) => {
      const start = sub.ops.invalidateRangeStart;
      if (!sub.listed || start === undefined) return;
      return andThen(this.callStart(task, sub, range, start), (r) => {
        if (r === 0) return;
        if (range.blockable || r !== EAGAIN) this.core.warn(task, `${sub.name}: invalidate_range_start failed with ${r} in ${range.blockable ? '' : 'non-'}blockable context (only -EAGAIN, only when not blockable)`);
        if (sub.ops.invalidateRangeEnd !== undefined) this.core.warn(task, `${sub.name}: invalidate_range_start failed but the notifier implements invalidate_range_end (a notifier that can fail must not)`);
        ret = r;
      });
    });
    const ended = andThen(started, () => (ret === 0 ? undefined : each(subs, (sub) => (sub.listed ? this.callEnd(task, sub, range) : undefined))));
    return ensure(
      () => andThen(ended, () => ret),
      () => this.core.callbackReadUnlock(task, ticket),
    );
  }

  private startList2008(task: Task, range: MmuNotifierRange): void | Promise<void> {
    const ticket = this.core.callbackReadLock(task);
    const walk = each(this.snapshot(), (sub) => {
      const start = sub.ops.invalidateRangeStart;
      if (!sub.listed || start === undefined) return;
      return andThen(this.callStart(task, sub, range, start), (r) => {
        if (r !== 0) this.core.warn(task, `${sub.name}: invalidate_range_start returned ${r} in the ${this.core.era} era, whose range callbacks returned nothing: the failure is ignored`);
      });
    });
    return ensure(
      () => walk,
      () => this.core.callbackReadUnlock(task, ticket),
    );
  }

  private callStart(task: Task, sub: MmuNotifier, range: MmuNotifierRange, start: NonNullable<MmuNotifier['ops']['invalidateRangeStart']>): number | Promise<number> {
    return this.core.invoke(task, sub, 'invalidate_range_start', rangeWhere(range), 0, () => start.call(sub.ops, task, sub, range));
  }

  private callEnd(task: Task, sub: MmuNotifier, range: MmuNotifierRange): void | Promise<void> {
    const end = sub.ops.invalidateRangeEnd;
    if (end === undefined) return;
    return this.core.invoke(task, sub, 'invalidate_range_end', rangeWhere(range), undefined, () => end.call(sub.ops, task, sub, range));
  }

  /** `__mmu_notifier_invalidate_range_end()`: the interval sequence's end, then every subscriber's end. */
  invalidateRangeEnd(task: Task, range: MmuNotifierRange): void | Promise<void> {
    const v6 = this.core.era === 'v6';
    if (v6) this.brackets.end(task, range);
    if (v6 && range.blockable) mightSleep(task, 'mmu_notifier_invalidate_range_end');
    if (v6) this.core.startMap.acquire(task);
    return ensure(
      () => {
        const itree = this.hasItree ? itreeInvEnd(task, this) : undefined;
        return andThen(itree, () => {
          if (this.list.length === 0) return;
          const ticket = this.core.callbackReadLock(task);
          return ensure(
            () => each(this.snapshot(), (sub) => (sub.listed ? this.callEnd(task, sub, range) : undefined)),
            () => this.core.callbackReadUnlock(task, ticket),
          );
        });
      },
      () => (v6 ? this.core.startMap.release(task) : undefined),
    );
  }

  /** 2008 eras: `__mmu_notifier_invalidate_page()`. */
  invalidatePage(task: Task, mm: Mm, address: number): void | Promise<void> {
    return this.walk(task, (sub) => {
      const hook = sub.ops.invalidatePage;
      if (hook === undefined) return;
      return this.core.invoke(task, sub, 'invalidate_page', { mm, start: address, end: address + PAGE_SIZE, pfn: -1, event: null, blockable: false }, undefined, () => hook.call(sub.ops, task, sub, mm, address));
    });
  }

  /** `__mmu_notifier_clear_flush_young()`: every subscriber is called and the answers ORed. */
  clearFlushYoung(task: Task, mm: Mm, start: number, end: number): boolean | Promise<boolean> {
    return this.young(task, mm, start, end, 'clearFlushYoung');
  }

  /** `__mmu_notifier_clear_young()`. */
  clearYoung(task: Task, mm: Mm, start: number, end: number): boolean | Promise<boolean> {
    return this.young(task, mm, start, end, 'clearYoung');
  }

  /** `__mmu_notifier_test_young()`: stops at the first young answer. */
  testYoung(task: Task, mm: Mm, address: number): boolean | Promise<boolean> {
    let young = false;
    const ticket = this.core.callbackReadLock(task);
    const subs = this.snapshot();
    const step = (i: number): void | Promise<void> => {
      for (; i < subs.length && !young; i++) {
        const sub = subs[i]!;
        const hook = sub.ops.testYoung;
        if (!sub.listed || hook === undefined) continue;
        const r = this.core.invoke(task, sub, 'test_young', { mm, start: address, end: address + PAGE_SIZE, pfn: -1, event: null, blockable: false }, false, () => hook.call(sub.ops, task, sub, mm, address));
        const next = i + 1;
        if (r instanceof Promise)
          return r.then((y) => {
            young = y;
            return step(next);
          });
        young = r;
      }
    };
    return ensure(
      () => andThen(step(0), () => young),
      () => this.core.callbackReadUnlock(task, ticket),
    );
  }

  private young(task: Task, mm: Mm, start: number, end: number, which: 'clearFlushYoung' | 'clearYoung'): boolean | Promise<boolean> {
    let young = false;
    const name = which === 'clearFlushYoung' ? 'clear_flush_young' : 'clear_young';
    return andThen(
      this.walk(task, (sub) => {
        const hook = sub.ops[which];
        if (hook === undefined) return;
        const r = this.core.invoke(task, sub, name, { mm, start, end, pfn: -1, event: null, blockable: false }, false, () => hook.call(sub.ops, task, sub, mm, start, end));
        if (r instanceof Promise) return r.then((y) => void (young = young || y));
        young = young || r;
      }),
      () => young,
    );
  }

  /** `v6`: `__mmu_notifier_arch_invalidate_secondary_tlbs()`; listeners see the flush with its bracket's event (`FlushBrackets`). */
  archInvalidateSecondaryTlbs(task: Task, mm: Mm, start: number, end: number): void | Promise<void> {
    // Listeners see the event of the range whose PTE change the flush completes (none given by the kernel).
    const event = this.brackets.claim(task, start, end)?.event ?? null;
    return this.walk(task, (sub) => {
      const hook = sub.ops.archInvalidateSecondaryTlbs;
      if (hook === undefined) return;
      return this.core.invoke(task, sub, 'arch_invalidate_secondary_tlbs', { mm, start, end, pfn: -1, event, blockable: false }, undefined, () => hook.call(sub.ops, task, sub, mm, start, end));
    });
  }

  /** Walk the listed subscriptions inside the lifetime read side. */
  private walk(task: Task, fn: (sub: MmuNotifier) => void | Promise<void>): void | Promise<void> {
    if (this.list.length === 0) return;
    const ticket = this.core.callbackReadLock(task);
    return ensure(
      () => each(this.snapshot(), (sub) => (sub.listed ? fn(sub) : undefined)),
      () => this.core.callbackReadUnlock(task, ticket),
    );
  }
}

const EMPTY: readonly MmuNotifier[] = [];
const SUBSCRIPTIONS_BRAND = '@secondary-mmu/mmu-notifier:subscriptions';

/** The subscriptions of `mm`, or null before the first registration. */
export function subscriptionsOf(mm: Mm): MmuNotifierSubscriptions | null {
  const port = mm.secondary as Partial<MmuNotifierSubscriptions> | null;
  return port !== null && port.brand === SUBSCRIPTIONS_BRAND ? (port as MmuNotifierSubscriptions) : null;
}
