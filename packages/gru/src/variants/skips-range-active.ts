import { createGruDriver, gru } from '../factory.js';
import { GRU_RULES } from '../flavour.js';
import type { GruVariant } from './types.js';

/**
 * `gru-skips-range-active`: `gru_try_dropin()` without its `ms_range_active` test. In
 * `v6` the range start runs before the PTEs change, so the interrupt path's walk still
 * finds the old page after the start's flush and drops it in inside the invalidation.
 * Kernel counterpart: `gru_try_dropin()` without its `atomic_read(&gms->ms_range_active)`.
 */
export const GRU_SKIPS_RANGE_ACTIVE: GruVariant = {
  name: 'gru-skips-range-active',
  bug: 'the dropin does not check ms_range_active: it drops in a PTE an active invalidation already flushed and is about to clear',
  race: true,
  driver: createGruDriver({ name: 'gru-skips-range-active', rules: { ...GRU_RULES, checksRangeActive: false } }),
  reference: gru,
  scenario: 'dontneed-vs-device-fault',
  era: 'v6',
  expectedKinds: ['access-in-invalidation', 'map-in-invalidation', 'use-after-free'],
  schedules: 40,
};
