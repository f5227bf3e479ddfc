/**
 * `@secondary-mmu/kvm-spte/variants`: the KVM-like driver with exactly one injected bug
 * each, and the scenario and era that expose it, for mutation-testing the checkers and
 * the explorer (`checkKillMatrixVariant` of `@secondary-mmu/testkit/kill-matrix` takes
 * them as they are). Not on the main entry: they are for testing, not for use.
 *
 * @packageDocumentation
 */
export type { KvmSpteVariant } from './variant.js';
export { NO_RETRY_CHECK } from './no-retry-check.js';
export { IGNORES_IN_PROGRESS } from './ignores-in-progress.js';
export { NO_RETRY_CHECK_2008 } from './no-retry-check-2008.js';
export { FLUSH_AFTER_UNLOCK } from './flush-after-unlock.js';
export { YOUNG_REPORTS_OLD } from './young-reports-old.js';
export { YOUNG_WITHOUT_CLEARING } from './young-without-clearing.js';
import { FLUSH_AFTER_UNLOCK } from './flush-after-unlock.js';
import { IGNORES_IN_PROGRESS } from './ignores-in-progress.js';
import { NO_RETRY_CHECK } from './no-retry-check.js';
import { NO_RETRY_CHECK_2008 } from './no-retry-check-2008.js';
import type { KvmSpteVariant } from './variant.js';
import { YOUNG_REPORTS_OLD } from './young-reports-old.js';
import { YOUNG_WITHOUT_CLEARING } from './young-without-clearing.js';

/** Every variant, in a fixed order. Kernel counterpart: none. */
export const KVM_SPTE_VARIANTS: readonly KvmSpteVariant[] = Object.freeze([NO_RETRY_CHECK, IGNORES_IN_PROGRESS, NO_RETRY_CHECK_2008, FLUSH_AFTER_UNLOCK, YOUNG_REPORTS_OLD, YOUNG_WITHOUT_CLEARING]);
