import { andThen, SmmuError, type Task } from '@secondary-mmu/core-mm';
import type { GruFault } from './context.js';
import type { GruDropinHost } from './host.js';
import { gruAtomicLookup, gruNonAtomicLookup } from './vtop.js';

/**
 * How a dropin attempt ended: the TLB entry was written; the hardware discarded it (a
 * flush reached the context after the fault was read: the access misses again); or it
 * could not proceed here and the fault goes to the user path (an invalidation is
 * active, or — in the interrupt path — the page needs a fault). Kernel counterpart:
 * `gru_try_dropin()`'s outcomes (0, the discarded restart, `-EAGAIN`/user polling mode).
 */
export type GruDropinOutcome = 'dropped-in' | 'discarded' | 'user';

/**
 * The hardware's half of a dropin, atomic: if any flush reached the fault's context
 * since the fault was read (its flush generation moved), the dropin is discarded;
 * otherwise the entry `page → pfn` (writable for a write fault) is written into the
 * context's TLB, evicting the least recently used entry when full. With
 * `rules.hardwareDropinRule` false (a variant) the check is skipped.
 *
 * Kernel counterpart: `tfh_write_restart()` — the GRU writes the TLB entry from the TFH
 * only if no TLB invalidate for the ASID arrived while the TFH held the miss.
 */
export function gruTlbDropin(task: Task, host: GruDropinHost, fault: GruFault, pfn: number): Exclude<GruDropinOutcome, 'user'> {
  requireOpen(host, fault.page);
  if (host.rules.hardwareDropinRule && fault.context.flushGeneration !== fault.generation) {
    host.stats.discardedDropins++;
    return 'discarded';
  }
  const h = host.device.establish(task, host.mm, fault.page, pfn, { writable: fault.write });
  host.stats.evictions += fault.context.tlb.insert(h);
  host.stats.dropins++;
  return 'dropped-in';
}

/**
 * One dropin attempt for `fault`. First `ms_range_active`: while an invalidation is
 * active nothing may be dropped in (its flush may already be done), so the fault goes
 * to the user path. Then the translation: `atomic` (the TLB-miss interrupt) reads the
 * CPU PTE with the no-reference walk and hands a page that needs a fault to the user
 * path; otherwise (the user path) `get_user_pages` faults it in and puts the
 * reference. Last the hardware's dropin, which discards a stale one. EFAULT once the
 * device is closed or the mm has exited; the user path's EFAULT/EPERM pass through.
 * Never sleeps when `atomic`.
 *
 * Kernel counterpart: `gru_try_dropin()` → `gru_vtop()` → `tfh_write_restart()`.
 */
export function gruTryDropin(task: Task, host: GruDropinHost, fault: GruFault, atomic: boolean): GruDropinOutcome | Promise<GruDropinOutcome> {
  requireOpen(host, fault.page);
  if (host.rules.checksRangeActive && host.gms.rangeActive > 0) {
    host.stats.failedDropins++;
    return 'user';
  }
  if (atomic) {
    const pfn = gruAtomicLookup(host, fault.page, fault.write);
    if (pfn === null) {
      host.stats.failedDropins++;
      return 'user';
    }
    return gruTlbDropin(task, host, fault, pfn);
  }
  return andThen(gruNonAtomicLookup(host, task, fault.page, fault.write), (pfn) => gruTlbDropin(task, host, fault, pfn));
}

function requireOpen(host: GruDropinHost, page: number): void {
  if (host.detached || host.gms.released || host.mm.dead) {
    throw new SmmuError('EFAULT', `${host.device.name}: dropin at 0x${page.toString(16)}: the device is closed or mm ${host.mm.id} has exited`);
  }
}
