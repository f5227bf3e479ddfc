import { createGruDriver, gru } from '../factory.js';
import { GRU_RULES } from '../flavour.js';
import type { GruVariant } from './types.js';

/**
 * `gru-no-dropin-rule`: hardware that writes every dropin, even one computed before a
 * flush reached the context. The user path's `get_user_pages` answer can then outlive
 * an invalidation that ran (start, flush, end) between the fault and the dropin.
 * Kernel counterpart: none (a `tfh_write_restart()` that ignores TLB invalidates).
 */
export const GRU_NO_DROPIN_RULE: GruVariant = {
  name: 'gru-no-dropin-rule',
  bug: 'the hardware does not discard a dropin when a flush reached the context after the fault was read',
  race: true,
  driver: createGruDriver({ name: 'gru-no-dropin-rule', rules: { ...GRU_RULES, hardwareDropinRule: false } }),
  reference: gru,
  scenario: 'fork-cow-vs-device-write',
  era: 'v6',
  expectedKinds: ['map-in-invalidation', 'access-in-invalidation', 'use-after-free', 'stale-read', 'lost-write'],
  schedules: 40,
};
