import type { Task } from '../sched/task.js';
import type { Mm } from './mm.js';

/** Why a range is invalidated (`enum mmu_notifier_event`). */
export type MmuNotifierEvent = 'unmap' | 'clear' | 'protection-vma' | 'protection-page' | 'soft-dirty' | 'release' | 'migrate' | 'exclusive';

/** `-EAGAIN`: the only failure a non-blockable `invalidate_range_start` may return. */
export const EAGAIN = -11;

/**
 * `struct mmu_notifier_range`. In the 2008 eras ranges carried no event (the model
 * still fills it in for traces) and `rfc-2008`'s `atomic` argument is
 * `blockable === false`.
 */
export interface MmuNotifierRange {
  readonly mm: Mm;
  readonly start: number;
  readonly end: number;
  readonly event: MmuNotifierEvent;
  /** May the callbacks sleep? False in non-blockable contexts (OOM reaper, 2008 atomic ranges, v2.6.27). */
  readonly blockable: boolean;
  /** `range->owner` (device migration); null when unused. */
  readonly owner: unknown;
}

/**
 * rfc-2008's external-rmap notifier (`mmu_rmap_notifier`): a machine-wide, page-keyed
 * hook for pages a driver exported (`mmu_rmap_export_page`, `PageExternalRmap`), the
 * hook SGI designed for XPMEM. `try_to_unmap()` and `page_mkclean()` call it after the
 * Linux rmap walk, with only the page lock held, so it may sleep. The merged API had no
 * such hook: it exists only in the `rfc-2008` era.
 */
export interface ExternalRmapPort {
  invalidatePage(task: Task, pfn: number): void | Promise<void>;
}

/**
 * The secondary-MMU port: what core-mm calls at each notifier call site, after
 * establishing the kernel's calling context there (locks held, a non-block section
 * for non-blockable ranges, the RCU read side in `v2.6.27`). `@secondary-mmu/mmu-notifier`
 * implements it and attaches it to an `Mm` (`mm.secondary`) on first registration;
 * a test may attach a recording port. Which calls happen, where, depends on the
 * machine's era (KERNEL.md §4).
 */
export interface SecondaryMmuPort {
  /** `__mmu_notifier_release()`: the first step of `exit_mmap`, before any page is freed. */
  release(task: Task, mm: Mm): void | Promise<void>;
  /**
   * `__mmu_notifier_invalidate_range_start()`. Returns 0, or {@link EAGAIN} when the
   * range is not blockable and a subscriber would have to sleep; core-mm honours
   * the failure only where the kernel checks it (v6 non-blockable callers).
   */
  invalidateRangeStart(task: Task, range: MmuNotifierRange): number | Promise<number>;
  /** `__mmu_notifier_invalidate_range_end()`. */
  invalidateRangeEnd(task: Task, range: MmuNotifierRange): void | Promise<void>;
  /** 2008 eras: `mmu_notifier_invalidate_page(mm, address)`, right after the PTE was cleared, PT lock held. */
  invalidatePage(task: Task, mm: Mm, address: number): void | Promise<void>;
  /**
   * Aging: `age_page(mm, address)` in the RFC, `clear_flush_young(mm, start, end)` since
   * 2.6.27 — test and clear the secondary's accessed bits for the range, flushing its
   * TLB; true if any was set. Called from `page_referenced_one` (and, in the 2008 eras,
   * `try_to_unmap_one`) under the PT lock; the caller ORs it with the primary young bit.
   */
  clearFlushYoung(task: Task, mm: Mm, start: number, end: number): boolean | Promise<boolean>;
  /** v6: `mmu_notifier_arch_invalidate_secondary_tlbs()`, from TLB-flush paths (often under the PT lock). */
  archInvalidateSecondaryTlbs(task: Task, mm: Mm, start: number, end: number): void | Promise<void>;
}
