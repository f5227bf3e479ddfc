import { andThen, EAGAIN, PAGE_SIZE } from '@secondary-mmu/core-mm';
import { withMmuLock } from '../classic-mirror/locked.js';
import { faultIgnoringInProgress, faultWithoutRetry } from './buggy-faults.js';
import { classicVariant, type ClassicChange } from './classic-variant.js';
import { dmirrorAllocUnderMutex, dmirrorLocksWhenNonBlockable } from './dmirror-variant.js';
import type { KillMatrixVariant } from './types.js';
import { LATE_FLUSH } from './variants/late-flush.js';
import { PARTIAL_FLUSH } from './variants/partial-flush.js';

/** (1) The fault installs without the sequence / in-progress retry check. */
export const NO_RETRY_CHECK: KillMatrixVariant = {
  name: 'no-retry-check',
  bug: 'the device fault installs what it resolved without the sequence / in-progress retry check',
  driver: classicVariant('no-retry-check', { fault: faultWithoutRetry }),
  scenario: 'dontneed-vs-device-fault',
  era: 'v6',
  expectedKinds: ['map-in-invalidation', 'use-after-free', 'stale-read'],
  schedules: 20,
};

/** (2) The fault checks the sequence but not `inProgress`, so it installs between start and end. */
export const INSTALLS_IN_WINDOW: KillMatrixVariant = {
  name: 'installs-in-window',
  bug: 'the device fault checks only the sequence, not inProgress, and installs between invalidate_range_start and _end',
  driver: classicVariant('installs-in-window', { fault: faultIgnoringInProgress }),
  scenario: 'fault-vs-munmap',
  era: 'v6',
  expectedKinds: ['map-in-invalidation'],
  schedules: 40,
};

/** (3) `invalidate_range_start` only counts; the zap moved to `invalidate_range_end`. */
export const NO_TEARDOWN_IN_START: KillMatrixVariant = {
  name: 'no-teardown-in-start',
  bug: 'invalidate_range_start only counts the invalidation; translations are zapped in invalidate_range_end, after the pages may be gone',
  driver: classicVariant('no-teardown-in-start', {
    ops(ops, state) {
      ops.invalidateRangeStart = (task) => andThen(withMmuLock(state.mmuLock, task, () => void state.inProgress++), () => 0);
      ops.invalidateRangeEnd = (task, _sub, range) =>
        withMmuLock(state.mmuLock, task, () => {
          state.table.zapRange(range.start, range.end);
          state.invalidateSeq++;
          state.inProgress--;
        });
    },
  }),
  scenario: 'fault-vs-munmap',
  era: 'v6',
  expectedKinds: ['use-after-free', 'access-in-invalidation'],
  schedules: 20,
};

/** Make the invalidation callbacks sleep (wait for a device acknowledgement) whatever the context. */
const sleepInInvalidations: ClassicChange = {
  ops(ops, _state, machine) {
    const start = ops.invalidateRangeStart!;
    ops.invalidateRangeStart = (task, sub, range) => andThen(machine.sched.sleep(task, 100), () => start(task, sub, range));
    const page = ops.invalidatePage;
    if (page !== undefined) ops.invalidatePage = (task, sub, mm, address) => andThen(machine.sched.sleep(task, 100), () => page(task, sub, mm, address));
  },
};

/** (4) The invalidation callbacks sleep (wait for a device acknowledgement) where the era forbids it. */
export const SLEEPS_IN_ATOMIC: KillMatrixVariant = {
  name: 'sleeps-in-atomic',
  bug: 'invalidate_range_start / invalidate_page sleep (wait for the device) although v2.6.27 calls them under rcu_read_lock()',
  driver: classicVariant('sleeps-in-atomic', sleepInInvalidations),
  scenario: 'fault-vs-munmap',
  era: 'v2.6.27',
  expectedKinds: ['might-sleep'],
  schedules: 20,
};

/** (5) `invalidate_range_start` answers -EAGAIN while the device is busy, and the notifier implements `invalidate_range_end`. */
export const FAILS_START_WITH_END: KillMatrixVariant = {
  name: 'fails-start-with-end',
  bug: 'invalidate_range_start fails with -EAGAIN while the device holds translations (even when blockable), and the notifier implements invalidate_range_end',
  driver: classicVariant('fails-start-with-end', {
    ops(ops, state) {
      const start = ops.invalidateRangeStart!;
      ops.invalidateRangeStart = (task, sub, range) => (state.table.size > 0 ? EAGAIN : start(task, sub, range));
    },
  }),
  scenario: 'fault-vs-munmap',
  era: 'v6',
  expectedKinds: ['notifier-warn'],
  schedules: 20,
};

/** (6) `release` closes the mirror but keeps its translations. */
export const KEEPS_AFTER_RELEASE: KillMatrixVariant = {
  name: 'keeps-after-release',
  bug: 'release marks the mirror closed but does not zap its translations',
  driver: classicVariant('keeps-after-release', {
    ops(ops, state) {
      ops.release = (task) => withMmuLock(state.mmuLock, task, () => void (state.closed = true));
    },
  }),
  scenario: 'exit-vs-device-access',
  era: 'v6',
  expectedKinds: ['leak'],
  schedules: 20,
};

/** (7) Aging clears the device accessed bits, then answers from the bits it has just cleared. */
export const AGING_ANSWERS_AFTER_CLEAR: KillMatrixVariant = {
  name: 'aging-answers-after-clear',
  bug: 'clear_flush_young / clear_young clear the device accessed bits, then answer from the cleared bits (never young)',
  driver: classicVariant('aging-answers-after-clear', {
    ops(ops, state) {
      const clearThenTest = (start: number, end: number): boolean => {
        state.table.testAndClearYoung(start, end);
        return state.table.testYoung(start);
      };
      ops.clearFlushYoung = (task, _sub, _mm, start, end) => withMmuLock(state.mmuLock, task, () => clearThenTest(start, end));
      ops.clearYoung = ops.clearFlushYoung;
    },
  }),
  scenario: 'access-vs-reclaim',
  era: 'v6',
  expectedKinds: ['aging'],
  schedules: 20,
};

/** (7b) A range clear that stops at the first young page (`||`), leaving the rest of the range young. */
export const AGING_SHORT_CIRCUIT: KillMatrixVariant = {
  name: 'aging-short-circuit',
  bug: 'clear_young / clear_flush_young test and clear page by page and return at the first young one (||), so later pages of the range keep their accessed bits',
  driver: classicVariant('aging-short-circuit', {
    ops(ops, state) {
      const clearUntilYoung = (start: number, end: number): boolean => {
        for (let p = start; p < end; p += PAGE_SIZE) if (state.table.testAndClearYoung(p, p + PAGE_SIZE)) return true;
        return false;
      };
      ops.clearFlushYoung = (task, _sub, _mm, start, end) => withMmuLock(state.mmuLock, task, () => clearUntilYoung(start, end));
      ops.clearYoung = ops.clearFlushYoung;
    },
  }),
  scenario: 'idle-scan-vs-device-access',
  era: 'v6',
  expectedKinds: ['aging'],
  schedules: 20,
};

/** (8) `page_mkclean`'s invalidation (`protection-page`) leaves the writable translation in place. */
export const WRITABLE_ACROSS_WRITEBACK: KillMatrixVariant = {
  name: 'writable-across-writeback',
  bug: 'invalidate_range_start ignores protection-page ranges (page_mkclean), so the device keeps writing through its writable translation after writeback cleaned the page',
  driver: classicVariant('writable-across-writeback', {
    ops(ops, state) {
      const start = ops.invalidateRangeStart!;
      ops.invalidateRangeStart = (task, sub, range) =>
        range.event === 'protection-page' ? andThen(withMmuLock(state.mmuLock, task, () => void state.inProgress++), () => 0) : start(task, sub, range);
    },
  }),
  scenario: 'writeback-vs-device-write',
  era: 'v6',
  expectedKinds: ['lost-write', 'write-through-read-only'],
  schedules: 20,
};

/** (9) dmirror allocates with `GFP_KERNEL` under `dmirror->mutex`, which its invalidate takes too. */
export const ALLOC_UNDER_NOTIFIER_LOCK: KillMatrixVariant = {
  name: 'alloc-under-notifier-lock',
  bug: "dmirror's fault allocates a page with allocDriverPage(…, 'kernel') under dmirror->mutex, the lock its invalidate takes (from reclaim too)",
  driver: dmirrorAllocUnderMutex,
  scenario: 'access-vs-reclaim',
  era: 'v6',
  expectedKinds: ['lock-inversion'],
  schedules: 20,
};

/** (10) The same sleeping classic mirror in `v6`: caught only where a range is not blockable (the OOM reaper). */
export const SLEEPS_WHEN_NON_BLOCKABLE: KillMatrixVariant = {
  name: 'sleeps-when-non-blockable',
  bug: 'invalidate_range_start sleeps without checking mmu_notifier_range_blockable(), so it sleeps in the OOM reaper\'s non-blockable unmap',
  driver: classicVariant('sleeps-when-non-blockable', sleepInInvalidations),
  scenario: 'oom-kill-vs-device-access',
  era: 'v6',
  expectedKinds: ['might-sleep'],
  schedules: 20,
};

/** (11) dmirror takes its mutex with a sleeping lock in a non-blockable invalidation, instead of trylock. */
export const LOCKS_WHEN_NON_BLOCKABLE: KillMatrixVariant = {
  name: 'locks-when-non-blockable',
  bug: "dmirror's invalidate takes dmirror->mutex with mutex_lock even when the range is not blockable (the OOM reaper), instead of trylock and answering false",
  driver: dmirrorLocksWhenNonBlockable,
  scenario: 'oom-kill-vs-device-access',
  era: 'v6',
  expectedKinds: ['might-sleep'],
  schedules: 20,
};

/** Every kill-matrix variant, in the order, then the non-blockable forms. */
export const KILL_MATRIX: readonly KillMatrixVariant[] = [
  NO_RETRY_CHECK,
  INSTALLS_IN_WINDOW,
  NO_TEARDOWN_IN_START,
  SLEEPS_IN_ATOMIC,
  FAILS_START_WITH_END,
  KEEPS_AFTER_RELEASE,
  AGING_ANSWERS_AFTER_CLEAR,
  AGING_SHORT_CIRCUIT,
  WRITABLE_ACROSS_WRITEBACK,
  ALLOC_UNDER_NOTIFIER_LOCK,
  SLEEPS_WHEN_NON_BLOCKABLE,
  LOCKS_WHEN_NON_BLOCKABLE,
  LATE_FLUSH,
  PARTIAL_FLUSH,
];
