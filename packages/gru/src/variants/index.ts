/**
 * `@secondary-mmu/gru/variants`: the GRU driver with one injected bug each, for showing
 * that the testkit catches them (`checkKillMatrixVariant` takes each as it is). Nothing
 * here is correct on purpose; use `gru` from the main entry.
 *
 * @packageDocumentation
 */
import { GRU_END_BEFORE_FLUSH } from './end-before-flush.js';
import { GRU_KERNEL_RELEASE } from './kernel-release.js';
import { GRU_NO_DROPIN_RULE } from './no-dropin-rule.js';
import { GRU_SKIPS_RANGE_ACTIVE } from './skips-range-active.js';
import type { GruVariant } from './types.js';

export type { GruVariant } from './types.js';
export { GRU_SKIPS_RANGE_ACTIVE, GRU_NO_DROPIN_RULE, GRU_END_BEFORE_FLUSH, GRU_KERNEL_RELEASE };

/** Every variant. Kernel counterpart: none. */
export const GRU_VARIANTS: readonly GruVariant[] = Object.freeze([GRU_SKIPS_RANGE_ACTIVE, GRU_NO_DROPIN_RULE, GRU_END_BEFORE_FLUSH, GRU_KERNEL_RELEASE]);
