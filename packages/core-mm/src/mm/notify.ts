import type { Task } from '../kernel/sched/task.js';
import { PG } from './frames.js';
import type { MemoryState } from './memory-state.js';
import type { Mm, MmuNotifierEvent, MmuNotifierRange } from './mm-types.js';

/**
 * core-mm's side of every notifier call site: build the range the era would pass,
 * establish the calling context the era gives callbacks — the RCU read side around
 * every callback in `v2.6.27` (its list was walked under `rcu_read_lock()`), a
 * non-block section for a non-blockable range — call the port, and restore the
 * context. A port that throws is reported as a `driver-error`; the model goes on.
 * With no port attached (`mm.secondary === null`) nothing is built or called.
 */

/**
 * The range a call site passes. `atomic` is the caller's context in 2008 terms (under
 * a spinlock such as `i_mmap_lock`: rfc-2008's `atomic` argument); `nonBlock` is v6's
 * `mmu_notifier_range_init` for a non-blockable caller (the OOM reaper).
 */
export function notifierRange(mm: Mm, start: number, end: number, event: MmuNotifierEvent, context: { atomic?: boolean; nonBlock?: boolean } = {}): MmuNotifierRange {
  const era = mm.era;
  const blockable = era === 'v6' ? context.nonBlock !== true : era === 'rfc-2008' ? context.atomic !== true : false;
  return { mm, start, end, event, blockable, owner: null };
}

/**
 * `mmu_notifier_invalidate_range_start()`: 0, or `EAGAIN` from a non-blockable range.
 * Every bracket is counted in `mm.rangesInFlight`, with or without a port, until its
 * end (or until a v6 non-blockable start fails: its caller makes no end call).
 */
export function notifyRangeStart(task: Task, range: MmuNotifierRange): number | Promise<number> {
  const mm = range.mm;
  mm.rangesInFlight++;
  const port = mm.secondary;
  if (port === null) return 0;
  const r = call(task, mm, !range.blockable, 'invalidate_range_start', 0, () => port.invalidateRangeStart(task, range));
  const failed = !range.blockable && mm.era === 'v6';
  if (!failed) return r;
  if (r instanceof Promise) return r.then((ret) => (ret !== 0 ? rangeDone(mm, ret) : ret));
  return r !== 0 ? rangeDone(mm, r) : r;
}

/** `mmu_notifier_invalidate_range_end()`. */
export function notifyRangeEnd(task: Task, range: MmuNotifierRange): void | Promise<void> {
  const mm = range.mm;
  const port = mm.secondary;
  if (port === null) return void rangeDone(mm, 0);
  const r = call(task, mm, !range.blockable, 'invalidate_range_end', undefined, () => port.invalidateRangeEnd(task, range));
  if (r instanceof Promise) return r.then(() => void rangeDone(mm, 0));
  rangeDone(mm, 0);
}

function rangeDone(mm: Mm, ret: number): number {
  if (--mm.rangesInFlight === 0) mm.rangesIdle.wakeUp();
  return ret;
}

/** 2008 eras: `mmu_notifier_invalidate_page(mm, address)`; the caller holds the PT lock. */
export function notifyInvalidatePage(task: Task, mm: Mm, address: number): void | Promise<void> {
  const port = mm.secondary;
  if (port === null) return;
  return call(task, mm, false, 'invalidate_page', undefined, () => port.invalidatePage(task, mm, address));
}

/**
 * The `end` of a whole-mm flush: the model's `TLB_FLUSH_ALL` (`-1UL`). x86's
 * `flush_tlb_mm()` passes `(0, -1UL)` to `mmu_notifier_arch_invalidate_secondary_tlbs`,
 * and SVA drivers special-case it (`end == ULONG_MAX`: invalidate the whole address
 * space, not a range). Difference: the largest safe integer rather than 2^64 − 1, which
 * a double cannot hold; still beyond every user address, so a range check that does not
 * special-case it covers everything — and a driver that walks the range page by page
 * never ends, as in the kernel.
 */
export const TLB_FLUSH_ALL = Number.MAX_SAFE_INTEGER;

/** v6: `mmu_notifier_arch_invalidate_secondary_tlbs()` from a TLB flush of `[start, end)` (`end` is {@link TLB_FLUSH_ALL} for a whole-mm flush). */
export function notifySecondaryTlbs(task: Task, mm: Mm, start: number, end: number): void | Promise<void> {
  const port = mm.secondary;
  if (port === null || mm.era !== 'v6') return;
  return call(task, mm, false, 'arch_invalidate_secondary_tlbs', undefined, () => port.archInvalidateSecondaryTlbs(task, mm, start, end));
}

/** `mmu_notifier_clear_flush_young()` (`age_page` in the RFC): false when no port is attached. The caller holds the PT lock. */
export function notifyClearFlushYoung(task: Task, mm: Mm, start: number, end: number): boolean | Promise<boolean> {
  const port = mm.secondary;
  if (port === null) return false;
  return call(task, mm, false, 'clear_flush_young', false, () => port.clearFlushYoung(task, mm, start, end));
}

/**
 * rfc-2008: `mmu_rmap_notifier(invalidate_page, page)` for an exported page, after the
 * rmap walk, page lock held and nothing else: no atomic context, so it may sleep.
 */
export function notifyExternalRmap(mem: MemoryState, task: Task, pfn: number): void | Promise<void> {
  const port = mem.externalRmap;
  if (port === null || mem.era !== 'rfc-2008' || (mem.frames.flags[pfn]! & PG.externalRmap) === 0) return;
  const failed = (error: unknown): void => {
    mem.kernel.recordViolation(task, 'driver-error', `external rmap invalidate_page threw: ${error instanceof Error ? error.message : String(error)}`);
  };
  try {
    const r = port.invalidatePage(task, pfn);
    if (r instanceof Promise) return r.then(undefined, failed);
  } catch (error) {
    failed(error);
  }
}

/**
 * `mmu_notifier_release()`: first step of `exit_mmap`. Unlike the other hooks it is
 * called without the `v2.6.27` RCU read side: 2.6.27's `__mmu_notifier_release` took
 * `rcu_read_lock()` around each `->release` and then called `synchronize_rcu()`,
 * which may not run inside it, so the notifier core takes the read side itself.
 */
export function notifyRelease(task: Task, mm: Mm): void | Promise<void> {
  const port = mm.secondary;
  if (port === null) return;
  return call(task, mm, false, 'release', undefined, () => port.release(task, mm), false);
}

function call<T>(task: Task, mm: Mm, nonBlock: boolean, what: string, fallback: T, body: () => T | Promise<T>, rcuEra = true): T | Promise<T> {
  const rcu = rcuEra && mm.era === 'v2.6.27';
  if (rcu) mm.kernel.rcu.readLock(task);
  if (nonBlock && !rcu) task.enterNonBlock();
  const leave = (): void => {
    if (nonBlock && !rcu) task.exitNonBlock();
    if (rcu) mm.kernel.rcu.readUnlock(task);
  };
  const failed = (error: unknown): T => {
    leave();
    mm.kernel.recordViolation(task, 'driver-error', `secondary MMU ${what} threw: ${error instanceof Error ? error.message : String(error)}`);
    return fallback;
  };
  let result: T | Promise<T>;
  try {
    result = body();
  } catch (error) {
    return failed(error);
  }
  if (result instanceof Promise) {
    return result.then((value) => {
      leave();
      return value;
    }, failed);
  }
  leave();
  return result;
}
