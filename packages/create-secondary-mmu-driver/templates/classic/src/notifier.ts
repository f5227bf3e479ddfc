// The MMU-notifier callbacks of the classic mirror. Each takes only the spinlock, so
// none sleeps: legal under the PT lock (the 2008 eras' invalidate_page, aging) and
// inside v2.6.27's rcu_read_lock().
import { andThen, ensure, PAGE_SIZE, type Era, type SpinLock, type Task } from '@secondary-mmu/core-mm';
import type { MmuNotifierOps } from '@secondary-mmu/mmu-notifier';
import type { MirrorTable } from './table.js';

/** What the callbacks and the fault share, under `lock`. */
export interface MirrorState {
  readonly lock: SpinLock;
  readonly table: MirrorTable;
  /** Bumped by every finished invalidation: a fault that saw another value retries. */
  seq: number;
  /** Range invalidations between start and end: a fault retries while one runs. */
  inProgress: number;
  /** release ran (the mm is exiting) or detach began: install nothing any more. */
  closed: boolean;
}

/** Run `body` under the spinlock. */
export function locked<T>(state: MirrorState, task: Task, body: () => T): T | Promise<T> {
  return andThen(state.lock.lock(task), () => ensure(body, () => state.lock.unlock(task)));
}

export function mirrorOps(state: MirrorState, era: Era): MmuNotifierOps {
  const { table } = state;
  const ops: MmuNotifierOps = {
    // Tear down before returning: the VM may free the pages before `end`.
    invalidateRangeStart: (task, _sub, range) =>
      andThen(
        locked(state, task, () => {
          state.inProgress++;
          table.zapRange(range.start, range.end);
        }),
        () => 0,
      ),
    // The range is consistent again: faults that raced it now retry once and succeed.
    invalidateRangeEnd: (task) =>
      locked(state, task, () => {
        state.seq++;
        state.inProgress--;
      }),
    // Aging: reclaim asks whether the device used the page since the last question.
    clearFlushYoung: (task, _sub, _mm, start, end) => locked(state, task, () => table.testAndClearYoung(start, end)),
    clearYoung: (task, _sub, _mm, start, end) => locked(state, task, () => table.testAndClearYoung(start, end)),
    testYoung: (task, _sub, _mm, address) => locked(state, task, () => table.testYoung(address)),
    // The mm is going away: nothing may outlive it.
    release: (task) =>
      locked(state, task, () => {
        state.closed = true;
        table.zapRange(0, Number.MAX_SAFE_INTEGER);
      }),
  };
  if (era !== 'v6') {
    // The 2008 eras call this from rmap walks (reclaim, migration) instead of a range.
    ops.invalidatePage = (task, _sub, _mm, address) =>
      locked(state, task, () => {
        const page = address - (address % PAGE_SIZE);
        table.zapRange(page, page + PAGE_SIZE);
        state.seq++;
      });
  }
  return ops;
}
