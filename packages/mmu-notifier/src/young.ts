import { SmmuError, type Mm, type Task } from '@secondary-mmu/core-mm';
import { subscriptionsOf } from './subscriptions.js';

function requireEra(mm: Mm, what: string, since: string): void {
  if (mm.era !== 'v6') throw new SmmuError('EINVAL', `${what}: the ${mm.era} era has no ${what} (added in ${since})`);
}

/**
 * `mmu_notifier_clear_young()` (≈4.3+): clear the secondaries' accessed bits for
 * `[start, end)` without a secondary TLB flush; true if any was set. Kernel callers
 * (idle page tracking, MGLRU) hold the PT lock; core-mm models neither, so this is the
 * entry point for experiments and tests, which should hold it too.
 */
export function mmuNotifierClearYoung(task: Task, mm: Mm, start: number, end: number): boolean | Promise<boolean> {
  requireEra(mm, 'mmu_notifier_clear_young', '4.3');
  return subscriptionsOf(mm)?.clearYoung(task, mm, start, end) ?? false;
}

/**
 * `mmu_notifier_test_young()` (2.6.38+): does any secondary report `address` young?
 * Stops at the first that does. Kernel caller: khugepaged, under the PT lock (not
 * modelled: no THP).
 */
export function mmuNotifierTestYoung(task: Task, mm: Mm, address: number): boolean | Promise<boolean> {
  requireEra(mm, 'mmu_notifier_test_young', '2.6.38');
  return subscriptionsOf(mm)?.testYoung(task, mm, address) ?? false;
}
