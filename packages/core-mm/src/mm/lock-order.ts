import type { Era } from './era.js';

/**
 * One era's lock order as data: the nesting lists at the top of `mm/rmap.ts`, each
 * written out as the chains from an outermost lock down to an innermost one, by
 * lockdep class name (the name a lock is created with; a nested subclass such as
 * `mmap_lock/1` is its class's name here). A lock may be taken while holding any lock
 * that comes before it in some chain. Two locks that share no chain (the PT lock and
 * `page_table_lock`, say) have no documented order: holding one while taking the other
 * is a finding too, not an implied permission.
 */
export type LockOrder = readonly (readonly string[])[];

// The part every chain of an era shares: from the inode down to the rmap locks.
const ABOVE_RMAP = ['i_rwsem', 'mmap_lock', 'PG_locked', 'fs_reclaim'] as const;
const TOP_2008 = [...ABOVE_RMAP, 'i_mmap_lock', 'anon_vma->lock'] as const;
const TOP_V6 = [...ABOVE_RMAP, 'i_mmap_rwsem', 'anon_vma->rwsem'] as const;

/**
 * The lock order per era, as the header of `mm/rmap.ts` documents it (kept in step
 * with that comment; `test/lock-order.test.ts` checks every order lockdep observes in a
 * workload against it). Locks of drivers and tests are not in it: their order against
 * the model's is their own contract.
 */
export const LOCK_ORDER: Readonly<Record<Era, LockOrder>> = {
  'rfc-2008': [
    [...TOP_2008, 'page_table_lock', 'lru_lock'],
    [...TOP_2008, 'ptl', 'lru_lock'],
    [...TOP_2008, 'mmu_notifier_srcu', 'mmu_notifier_subscriptions.lock'],
  ],
  'v2.6.27': [
    [...TOP_2008, 'page_table_lock', 'lru_lock'],
    [...TOP_2008, 'ptl', 'lru_lock'],
    [...TOP_2008, 'mmu_notifier_subscriptions.lock'],
  ],
  v6: [
    [...TOP_V6, 'page_table_lock', 'lru_lock'],
    [...TOP_V6, 'ptl', 'lru_lock'],
    [...TOP_V6, 'mmu_notifier_invalidate_range_start', 'mmu_notifier_srcu', 'mmu_notifier_subscriptions.lock'],
  ],
};
