import { andThen, ensure, SmmuError, type Machine, type Mm, type Task } from '@secondary-mmu/core-mm';
import { mmNotifierCore, notifierCore, type NotifierCore } from './core.js';
import { MmuNotifier, type MmuNotifierOps } from './subscription.js';
import { MmuNotifierSubscriptions, subscriptionsOf } from './subscriptions.js';

/**
 * Registration and lifetime (mm/mmu_notifier.c): register under the mmap write lock,
 * excluded from in-flight invalidation brackets; unregister runs `->release` if the
 * subscription is still listed, unlists it and waits for every running callback
 * (SRCU), so that when it returns no callback runs or will run. `get`/`put` (5.4+)
 * share one subscription per (ops, mm) and free it after a grace period.
 */

function writeLocked(task: Task, mm: Mm): boolean {
  return mm.mmapLock.writeLocked && mm.mmapLock.holders().includes(task);
}

function check(task: Task, subscription: MmuNotifier | null, mm: Mm, what: string): NotifierCore {
  if (mm.dead) throw new SmmuError('EINVAL', `${what}: mm ${mm.id} has exited (mm_users is 0)`);
  if (subscription !== null) {
    if (subscription.listed) throw new SmmuError('EINVAL', `${what}: ${subscription.name} is already registered (on mm ${subscription.mm?.id ?? '-'})`);
    checkArchCallback(task, subscription, mm, what);
  }
  if (!writeLocked(task, mm)) throw new SmmuError('EINVAL', `${what}: ${task.name} must hold mm ${mm.id}'s mmap_lock for writing`);
  return mmNotifierCore(mm);
}

/**
 * The arch callback per era. v6 refuses a subscription implementing both it and
 * start/end with a `WARN_ON_ONCE` (a `notifier-warn`) and EINVAL, as
 * `__mmu_notifier_register` does. The 2008 kernels had no such callback (it came in
 * 3.19 as `invalidate_range`): nothing there would ever call it, so the model refuses
 * a subscription that implements it, with EINVAL and no warning — not a kernel answer,
 * a driver written for a kernel that cannot run it.
 */
function checkArchCallback(task: Task, subscription: MmuNotifier, mm: Mm, what: string): void {
  const ops = subscription.ops;
  if (ops.archInvalidateSecondaryTlbs === undefined) return;
  if (mm.era !== 'v6') {
    throw new SmmuError('EINVAL', `${what}: ${subscription.name} implements arch_invalidate_secondary_tlbs, which ${mm.era} does not have (it came in 3.19 as invalidate_range): register it in v6`);
  }
  if (ops.invalidateRangeStart !== undefined || ops.invalidateRangeEnd !== undefined) {
    mmNotifierCore(mm).warn(task, `${what}: ${subscription.name} implements both arch_invalidate_secondary_tlbs and invalidate_range_start/end (WARN_ON_ONCE)`);
    throw new SmmuError('EINVAL', `${what}: ${subscription.name} implements both arch_invalidate_secondary_tlbs and invalidate_range_start/end`);
  }
}

/**
 * `__mmu_notifier_register()`: the caller holds the mmap write lock. A null
 * subscription registers the mm for interval notifiers (`has_itree`). Waits until no
 * invalidation bracket is in flight on the mm (`mm_take_all_locks()`), then installs
 * the subscriptions on first use and adds the subscription at the head of the list.
 * Throws `EINVAL` (nothing changed) for an exited mm, a subscription already
 * registered, or ops implementing both `archInvalidateSecondaryTlbs` and start/end
 * (v6, with a `notifier-warn`), or `archInvalidateSecondaryTlbs` at all in a 2008 era.
 */
export function mmuNotifierRegisterLocked(task: Task, subscription: MmuNotifier | null, mm: Mm): void | Promise<void> {
  const core = check(task, subscription, mm, 'mmu_notifier_register');
  const add = (): void | Promise<void> =>
    andThen(mm.rangesIdle.waitEvent(task, () => mm.rangesInFlight === 0), () => {
      const subs = subscriptionsOf(mm) ?? new MmuNotifierSubscriptions(core, mm);
      return andThen(subs.lock.lock(task), () => {
        // A bracket may have begun while the lock was contended: wait again.
        if (mm.rangesInFlight > 0) return andThen(subs.lock.unlock(task), add);
        mm.secondary = subs;
        if (subscription === null) subs.hasItree = true;
        else {
          subscription.mm = mm;
          subscription.users = 1;
          subscription.listed = true;
          subscription.freed = false;
          subs.add(subscription);
          core.lifecycle('registered', subscription, mm, task);
        }
        return subs.lock.unlock(task);
      });
    });
  return add();
}

/** `mmu_notifier_register()`: takes the mmap write lock around {@link mmuNotifierRegisterLocked}. */
export function mmuNotifierRegister(task: Task, subscription: MmuNotifier, mm: Mm): void | Promise<void> {
  if (mm.dead) throw new SmmuError('EINVAL', `mmu_notifier_register: mm ${mm.id} has exited (mm_users is 0)`);
  return andThen(mm.mmapLock.downWrite(task), () =>
    ensure(
      () => mmuNotifierRegisterLocked(task, subscription, mm),
      () => mm.mmapLock.upWrite(task),
    ),
  );
}

/**
 * `mmu_notifier_unregister()`: `->release` if the subscription is still listed, unlist,
 * then wait for every callback in flight (SRCU; RCU in `v2.6.27`), including a
 * `->release` that exit is running. In the era's release order: `v6` calls `->release`
 * while still listed, the 2008 code unlisted first. Must not be called from a callback
 * (the wait would never end) or in atomic context.
 */
export function mmuNotifierUnregister(task: Task, subscription: MmuNotifier, mm: Mm): void | Promise<void> {
  if (subscription.mm !== mm) throw new SmmuError('EINVAL', `mmu_notifier_unregister: ${subscription.name} is not registered on mm ${mm.id}`);
  const subs = subscriptionsOf(mm)!;
  const core = subs.core;
  const releaseAndUnlist = (): void | Promise<void> => {
    if (core.releaseOrder === 'release-first') {
      if (!subscription.listed) return;
      const ticket = core.readLock(task);
      const released = ensure(
        () => subs.callRelease(task, subscription, mm),
        () => core.readUnlock(task, ticket),
      );
      return andThen(released, () => andThen(subs.lock.lock(task), () => (subs.unlist(task, subscription), subs.lock.unlock(task))));
    }
    return andThen(subs.lock.lock(task), () => {
      if (!subscription.listed) return subs.lock.unlock(task);
      subs.unlist(task, subscription);
      const ticket = core.readLock(task);
      return andThen(subs.lock.unlock(task), () =>
        ensure(
          () => subs.callRelease(task, subscription, mm),
          () => core.readUnlock(task, ticket),
        ),
      );
    });
  };
  return andThen(releaseAndUnlist(), () =>
    andThen(core.synchronize(task), () => {
      subscription.users = 0;
      core.lifecycle('unregistered', subscription, mm, task);
    }),
  );
}

/**
 * `mmu_notifier_get_locked()` (5.4+, `v6`): the caller holds the mmap write lock. Returns
 * the listed subscription with these `ops` (one more user), or registers a new one made
 * by `ops.allocNotifier`.
 */
export function mmuNotifierGetLocked(task: Task, ops: MmuNotifierOps, mm: Mm): MmuNotifier | Promise<MmuNotifier> {
  if (mm.era !== 'v6') throw new SmmuError('EINVAL', `mmu_notifier_get: the ${mm.era} era has no get/put (added in 5.4)`);
  if (!writeLocked(task, mm)) throw new SmmuError('EINVAL', `mmu_notifier_get: ${task.name} must hold mm ${mm.id}'s mmap_lock for writing`);
  const alloc = ops.allocNotifier;
  if (alloc === undefined) throw new SmmuError('EINVAL', 'mmu_notifier_get: ops have no allocNotifier');
  const subs = subscriptionsOf(mm);
  const found = subs?.list.find((s) => s.ops === ops);
  if (found !== undefined) {
    found.users++;
    return found;
  }
  const subscription = alloc.call(ops, task, mm);
  if (subscription.ops !== ops) throw new SmmuError('EINVAL', `mmu_notifier_get: allocNotifier returned ${subscription.name} made with other ops`);
  let registered: void | Promise<void>;
  try {
    registered = mmuNotifierRegisterLocked(task, subscription, mm);
  } catch (error) {
    ops.freeNotifier?.(subscription);
    throw error;
  }
  return andThen(registered, () => subscription);
}

/** `mmu_notifier_get()`: {@link mmuNotifierGetLocked} under the mmap write lock. */
export function mmuNotifierGet(task: Task, ops: MmuNotifierOps, mm: Mm): MmuNotifier | Promise<MmuNotifier> {
  if (mm.era !== 'v6') throw new SmmuError('EINVAL', `mmu_notifier_get: the ${mm.era} era has no get/put (added in 5.4)`);
  return andThen(mm.mmapLock.downWrite(task), () =>
    ensure(
      () => mmuNotifierGetLocked(task, ops, mm),
      () => mm.mmapLock.upWrite(task),
    ),
  );
}

/**
 * `mmu_notifier_put()`: drop a reference from `mmuNotifierGet`. The last one unlists the
 * subscription (no `->release`) and frees it after an SRCU grace period: at once when no
 * callback is running, else at the next {@link mmuNotifierSynchronize} (the kernel's
 * `call_srcu`; modules call `mmu_notifier_synchronize` at exit). May be called from
 * `->release`.
 */
export function mmuNotifierPut(task: Task, subscription: MmuNotifier): void | Promise<void> {
  const mm = subscription.mm;
  if (mm === null) throw new SmmuError('EINVAL', `mmu_notifier_put: ${subscription.name} was never registered`);
  if (mm.era !== 'v6') throw new SmmuError('EINVAL', `mmu_notifier_put: the ${mm.era} era has no get/put (added in 5.4)`);
  const subs = subscriptionsOf(mm)!;
  const core = subs.core;
  return andThen(subs.lock.lock(task), () => {
    if (subscription.users === 0) {
      core.warn(task, `mmu_notifier_put: ${subscription.name} has no users left (put without get)`);
      return subs.lock.unlock(task);
    }
    if (--subscription.users > 0) return subs.lock.unlock(task);
    subs.unlist(task, subscription);
    return andThen(subs.lock.unlock(task), () => core.deferFree(task, subscription));
  });
}

/** `mmu_notifier_synchronize()`: wait for a grace period, then run every free that `put` deferred. */
export function mmuNotifierSynchronize(task: Task, machine: Machine): void | Promise<void> {
  if (machine.era !== 'v6') throw new SmmuError('EINVAL', `mmu_notifier_synchronize: the ${machine.era} era has no get/put (added in 5.4)`);
  const core = notifierCore(machine);
  const batch = core.takeDeferredFrees();
  return andThen(core.synchronize(task), () => core.runFrees(task, batch));
}
