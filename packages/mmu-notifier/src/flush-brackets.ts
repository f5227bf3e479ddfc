import type { MmuNotifierRange, Task } from '@secondary-mmu/core-mm';

/**
 * @internal Which `mmu_notifier_range` a secondary TLB flush belongs to, per task, so
 * that listeners (the event trace, race windows) see `arch_invalidate_secondary_tlbs`
 * with the event of the PTE change it completes. The kernel passes the flush no event:
 * `flush_tlb_mm_range()` / `tlb_flush()` call `mmu_notifier_arch_invalidate_secondary_tlbs(mm,
 * start, end)` from inside the caller's range (zap, reclaim, COW, migration,
 * `page_mkclean`) or just after it (`tlb_finish_mmu()` after mprotect's range,
 * `flush_tlb_mm(oldmm)` after fork's). So a flush takes the event of the innermost
 * bracket the same task has open over an overlapping range, else of the last bracket
 * that task closed over an overlapping range and no flush claimed yet, else none.
 * Kernel counterpart: none; the bookkeeping is the model's.
 */
export class FlushBrackets {
  private readonly open = new Map<Task, MmuNotifierRange[]>();
  private readonly closed = new Map<Task, MmuNotifierRange>();

  /** `range`'s start was called by `task`. */
  begin(task: Task, range: MmuNotifierRange): void {
    this.closed.delete(task);
    const stack = this.open.get(task);
    if (stack === undefined) this.open.set(task, [range]);
    else stack.push(range);
  }

  /** `range` is over: its end was called, or (`completed` false) a non-blockable start failed and no end comes. */
  end(task: Task, range: MmuNotifierRange, completed = true): void {
    const stack = this.open.get(task);
    if (stack !== undefined) {
      const i = stack.lastIndexOf(range);
      if (i >= 0) stack.splice(i, 1);
      if (stack.length === 0) this.open.delete(task);
    }
    if (completed) this.closed.set(task, range);
    else this.closed.delete(task);
  }

  /** The bracket a flush of `[start, end)` by `task` completes, if any (a closed one is claimed). */
  claim(task: Task, start: number, end: number): MmuNotifierRange | undefined {
    const stack = this.open.get(task);
    if (stack !== undefined) {
      for (let i = stack.length - 1; i >= 0; i--) if (overlaps(stack[i]!, start, end)) return stack[i];
    }
    const last = this.closed.get(task);
    if (last === undefined || !overlaps(last, start, end)) return undefined;
    this.closed.delete(task);
    return last;
  }
}

function overlaps(range: MmuNotifierRange, start: number, end: number): boolean {
  return range.start < end && start < range.end;
}
