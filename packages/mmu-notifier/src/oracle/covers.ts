import { PAGE_SIZE, type Mm } from '@secondary-mmu/core-mm';
import type { DeviceSubscription } from './device-options.js';

/**
 * @internal Does `sub` cover the page at `address` of `mm` — would an invalidation of
 * that page reach it? A classic notifier covers its whole mm; an interval notifier its
 * interval `[start, last]` on its mm; a subscription not yet registered or inserted
 * (no mm yet) is given the benefit of the doubt and covers every page, as a device
 * naming it before registration always did. Kernel counterpart: the mm match of
 * `mn_hlist_invalidate_range_start` and the interval-tree overlap of
 * `mn_itree_inv_start_range`.
 */
export function subscriptionCovers(sub: DeviceSubscription, mm: Mm, address: number): boolean {
  if (sub.mm === null) return true;
  if (sub.mm !== mm) return false;
  if (!('last' in sub)) return true;
  return address <= sub.last && address + PAGE_SIZE - 1 >= sub.start;
}
