import { andThen, ensure, mightSleep, SmmuError, type Mm, type Task } from '@secondary-mmu/core-mm';
import { MmuIntervalNotifier, type MmuIntervalNotifierOps } from './interval-subscription.js';
import { mmuNotifierRegisterLocked } from './register.js';
import { subscriptionsOf, type MmuNotifierSubscriptions } from './subscriptions.js';

/**
 * Interval notifiers (5.5+, `v6` only) and the reader side of their sequence protocol
 * (docs/notifier.md). A driver mirrors pages like this:
 *
 * ```ts
 * for (;;) {
 *   const seq = await mmuIntervalReadBegin(task, isub);
 *   // fault in and read the CPU page table (hmmRangeFault), no driver lock held
 *   await driverLock.lock(task);
 *   if (mmuIntervalReadRetry(isub, seq)) { await driverLock.unlock(task); continue; }
 *   // install the device mapping
 *   await driverLock.unlock(task);
 *   break;
 * }
 * ```
 * and its `invalidate` takes the same lock and calls {@link mmuIntervalSetSeq}.
 */

function insertChecked(mm: Mm, start: number, length: number, what: string): void {
  if (mm.era !== 'v6') throw new SmmuError('EINVAL', `${what}: the ${mm.era} era has no interval notifiers (added in 5.5)`);
  if (mm.dead) throw new SmmuError('EINVAL', `${what}: mm ${mm.id} has exited`);
  if (!Number.isSafeInteger(start) || start < 0) throw new SmmuError('EINVAL', `${what}: start ${start} is not an address`);
  if (!Number.isSafeInteger(length) || length <= 0 || !Number.isSafeInteger(start + length - 1)) throw new SmmuError('EOVERFLOW', `${what}: length ${length} from ${start} is empty or overflows`);
}

/**
 * `__mmu_interval_notifier_insert()`: while any invalidation is active the new interval
 * must count as included — if the sequence is odd the insert is deferred to the last
 * end, else it goes in and the sequence turns odd; either way `invalidateSeq` equals the
 * mm's, so the first `readBegin` waits for that end. Otherwise it goes in with an odd
 * seq one below the mm's.
 */
function insert(task: Task, isub: MmuIntervalNotifier, mm: Mm, subs: MmuNotifierSubscriptions, start: number, length: number): void | Promise<void> {
  isub.mm = mm;
  isub.start = start;
  isub.last = start + length - 1;
  return andThen(subs.lock.lock(task), () => {
    if (subs.activeInvalidateRanges > 0) {
      if (subs.itreeInvalidating) {
        isub.state = 'deferred-insert';
        subs.deferred.push(isub);
      } else {
        subs.invalidateSeq |= 1;
        isub.node = subs.itree.insert(isub.start, isub.last, isub);
        isub.state = 'tree';
      }
      isub.invalidateSeq = subs.invalidateSeq;
    } else {
      if (subs.itreeInvalidating) subs.core.warn(task, 'mmu_interval_notifier_insert: sequence odd with no active range');
      isub.invalidateSeq = subs.invalidateSeq - 1;
      isub.node = subs.itree.insert(isub.start, isub.last, isub);
      isub.state = 'tree';
    }
    subs.core.lifecycle('registered', isub, mm, task);
    return subs.lock.unlock(task);
  });
}

/**
 * `mmu_interval_notifier_insert()`: subscribe `isub` to invalidations overlapping
 * `[start, start + length)` of `mm`. Takes the mmap write lock only to register the mm
 * for interval notifiers the first time. Throws `EINVAL` in the 2008 eras or for a
 * subscription already inserted, `EOVERFLOW` for an empty or overflowing range.
 */
export function mmuIntervalNotifierInsert(task: Task, isub: MmuIntervalNotifier, mm: Mm, start: number, length: number): void | Promise<void> {
  insertChecked(mm, start, length, 'mmu_interval_notifier_insert');
  if (isub.state !== 'removed') throw new SmmuError('EINVAL', `mmu_interval_notifier_insert: ${isub.name} is already inserted`);
  const subs = subscriptionsOf(mm);
  if (subs !== null && subs.hasItree) return insert(task, isub, mm, subs, start, length);
  const registered = andThen(mm.mmapLock.downWrite(task), () =>
    ensure(
      () => mmuNotifierRegisterLocked(task, null, mm),
      () => mm.mmapLock.upWrite(task),
    ),
  );
  return andThen(registered, () => insert(task, isub, mm, subscriptionsOf(mm)!, start, length));
}

/** `mmu_interval_notifier_insert_locked()`: as {@link mmuIntervalNotifierInsert}, the caller holding the mmap write lock. */
export function mmuIntervalNotifierInsertLocked(task: Task, isub: MmuIntervalNotifier, mm: Mm, start: number, length: number): void | Promise<void> {
  insertChecked(mm, start, length, 'mmu_interval_notifier_insert_locked');
  if (isub.state !== 'removed') throw new SmmuError('EINVAL', `mmu_interval_notifier_insert_locked: ${isub.name} is already inserted`);
  if (!(mm.mmapLock.writeLocked && mm.mmapLock.holders().includes(task))) throw new SmmuError('EINVAL', `mmu_interval_notifier_insert_locked: ${task.name} must hold mm ${mm.id}'s mmap_lock for writing`);
  const subs = subscriptionsOf(mm);
  if (subs !== null && subs.hasItree) return insert(task, isub, mm, subs, start, length);
  return andThen(mmuNotifierRegisterLocked(task, null, mm), () => insert(task, isub, mm, subscriptionsOf(mm)!, start, length));
}

/**
 * `mmu_interval_notifier_remove()`: while the sequence is odd the removal is deferred to
 * the last end (an insert still deferred is simply dropped) and this waits for that end;
 * when it returns, `invalidate` runs nowhere and will not be called again. A sleeping
 * call (it may wait): never from a callback or under a lock the callback takes.
 */
export function mmuIntervalNotifierRemove(task: Task, isub: MmuIntervalNotifier): void | Promise<void> {
  const mm = isub.mm;
  if (mm === null || isub.state === 'removed') throw new SmmuError('EINVAL', `mmu_interval_notifier_remove: ${isub.name} is not inserted`);
  const subs = subscriptionsOf(mm)!;
  mightSleep(task, 'mmu_interval_notifier_remove');
  let seq = 0;
  return andThen(subs.lock.lock(task), () => {
    if (subs.itreeInvalidating) {
      if (isub.state === 'deferred-insert') {
        subs.deferred.splice(subs.deferred.indexOf(isub), 1);
        isub.state = 'removed';
      } else if (isub.state === 'tree') {
        isub.state = 'deferred-remove';
        subs.deferred.push(isub);
        seq = subs.invalidateSeq;
      }
    } else {
      if (isub.node !== null) subs.itree.remove(isub.node);
      isub.node = null;
      isub.state = 'removed';
    }
    return andThen(subs.lock.unlock(task), () => {
      subs.core.startMap.touch(task);
      const waited = seq !== 0 ? subs.wq.waitUntil(task, () => subs.invalidateSeq !== seq) : undefined;
      return andThen(waited, () => subs.core.lifecycle('unregistered', isub, mm, task));
    });
  });
}

/**
 * `mmu_interval_read_begin()`: the sequence to pass to `readRetry`. If an invalidation
 * of the current epoch is working on this interval, sleep until it ends (the last end
 * makes the mm's sequence differ). A sleeping call; lockdep sees it take the start map,
 * so a driver lock held here and taken inside `invalidate` is an inversion.
 */
export function mmuIntervalReadBegin(task: Task, isub: MmuIntervalNotifier): number | Promise<number> {
  const subs = requireInserted(isub, 'mmu_interval_read_begin');
  return andThen(subs.lock.lock(task), () => {
    const seq = isub.invalidateSeq;
    const invalidating = seq === subs.invalidateSeq;
    return andThen(subs.lock.unlock(task), () => {
      subs.core.startMap.touch(task);
      if (!invalidating) return seq;
      return andThen(
        subs.wq.waitEvent(task, () => subs.invalidateSeq !== seq),
        () => seq,
      );
    });
  });
}

/** `mmu_interval_read_retry()`: true if an invalidation ran since `readBegin` returned `seq`. Call under the driver lock. */
export function mmuIntervalReadRetry(isub: MmuIntervalNotifier, seq: number): boolean {
  return isub.invalidateSeq !== seq;
}

/** `mmu_interval_check_retry()`: the same test as a hint, without the driver lock (may go stale at once). */
export function mmuIntervalCheckRetry(isub: MmuIntervalNotifier, seq: number): boolean {
  return isub.invalidateSeq !== seq;
}

/** `mmu_interval_set_seq()`: from `invalidate`, under the driver lock, with the `curSeq` it was given. */
export function mmuIntervalSetSeq(isub: MmuIntervalNotifier, curSeq: number): void {
  isub.invalidateSeq = curSeq;
}

function requireInserted(isub: MmuIntervalNotifier, what: string): MmuNotifierSubscriptions {
  const subs = isub.mm === null ? null : subscriptionsOf(isub.mm);
  if (subs === null || isub.state === 'removed') throw new SmmuError('EINVAL', `${what}: ${isub.name} is not inserted`);
  return subs;
}

/** An interval subscription with these ops (a convenience; drivers may subclass {@link MmuIntervalNotifier}). */
export function mmuIntervalNotifier(ops: MmuIntervalNotifierOps, name?: string): MmuIntervalNotifier {
  return new MmuIntervalNotifier(ops, name);
}
