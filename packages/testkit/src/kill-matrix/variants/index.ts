import type { KillMatrixVariant } from '../types.js';
import { AGING_ANSWERS_AFTER_CLEAR } from './aging-answers-after-clear.js';
import { AGING_SHORT_CIRCUIT } from './aging-short-circuit.js';
import { ALLOC_UNDER_NOTIFIER_LOCK } from './alloc-under-notifier-lock.js';
import { FAILS_START_WITH_END } from './fails-start-with-end.js';
import { INSTALLS_IN_WINDOW } from './installs-in-window.js';
import { KEEPS_AFTER_RELEASE } from './keeps-after-release.js';
import { LATE_FLUSH } from './late-flush.js';
import { LOCKS_WHEN_NON_BLOCKABLE } from './locks-when-non-blockable.js';
import { MULTI_REGION } from './multi-region.js';
import { NO_RETRY_CHECK } from './no-retry-check.js';
import { NO_TEARDOWN_IN_START } from './no-teardown-in-start.js';
import { PARTIAL_FLUSH } from './partial-flush.js';
import { SLEEPS_IN_ATOMIC } from './sleeps-in-atomic.js';
import { SLEEPS_WHEN_NON_BLOCKABLE } from './sleeps-when-non-blockable.js';
import { TRYLOCK_FAILS } from './trylock-fails.js';
import { WRITABLE_ACROSS_WRITEBACK } from './writable-across-writeback.js';

export {
  AGING_ANSWERS_AFTER_CLEAR,
  AGING_SHORT_CIRCUIT,
  ALLOC_UNDER_NOTIFIER_LOCK,
  FAILS_START_WITH_END,
  INSTALLS_IN_WINDOW,
  KEEPS_AFTER_RELEASE,
  LATE_FLUSH,
  LOCKS_WHEN_NON_BLOCKABLE,
  MULTI_REGION,
  NO_RETRY_CHECK,
  NO_TEARDOWN_IN_START,
  PARTIAL_FLUSH,
  SLEEPS_IN_ATOMIC,
  SLEEPS_WHEN_NON_BLOCKABLE,
  TRYLOCK_FAILS,
  WRITABLE_ACROSS_WRITEBACK,
};

/**
 * Every kill-matrix variant, one per file in this folder: the races first, then the
 * deterministic bugs. A new variant is a new file here exporting one
 * `KillMatrixVariant`, plus one entry in this list; `test/kill-matrix.test.ts` then
 * holds it to every rule of the matrix. Kernel counterpart: none.
 */
export const KILL_MATRIX: readonly KillMatrixVariant[] = [
  // Races: fifo must not catch them, the search must.
  NO_RETRY_CHECK,
  INSTALLS_IN_WINDOW,
  NO_TEARDOWN_IN_START,
  TRYLOCK_FAILS,
  MULTI_REGION,
  LATE_FLUSH,
  PARTIAL_FLUSH,
  // Deterministic: caught on any schedule, fifo included.
  SLEEPS_IN_ATOMIC,
  FAILS_START_WITH_END,
  KEEPS_AFTER_RELEASE,
  AGING_ANSWERS_AFTER_CLEAR,
  AGING_SHORT_CIRCUIT,
  WRITABLE_ACROSS_WRITEBACK,
  ALLOC_UNDER_NOTIFIER_LOCK,
  SLEEPS_WHEN_NON_BLOCKABLE,
  LOCKS_WHEN_NON_BLOCKABLE,
];
