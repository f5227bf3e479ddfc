/*
 * The kill matrix: the reference drivers, each with one deliberate bug, and the checker
 * kind that must catch it (see `test/kill-matrix.test.ts`).
 */
export type { KillMatrixVariant } from './types.js';
export { KILL_MATRIX, NO_RETRY_CHECK, INSTALLS_IN_WINDOW, NO_TEARDOWN_IN_START, SLEEPS_IN_ATOMIC, FAILS_START_WITH_END, KEEPS_AFTER_RELEASE, AGING_ANSWERS_AFTER_CLEAR, AGING_SHORT_CIRCUIT, WRITABLE_ACROSS_WRITEBACK, ALLOC_UNDER_NOTIFIER_LOCK, SLEEPS_WHEN_NON_BLOCKABLE, LOCKS_WHEN_NON_BLOCKABLE } from './variants.js';
export { killMatrixScenario } from './scenario.js';
export { classicVariant, type ClassicChange } from './classic-variant.js';
export { faultWithoutRetry, faultIgnoringInProgress, type ClassicFault } from './buggy-faults.js';
export { VariantMirrorInstance } from './variant-instance.js';
export { dmirrorAllocUnderMutex, dmirrorLocksWhenNonBlockable } from './dmirror-variant.js';
