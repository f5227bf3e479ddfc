import { createGruDriver, gru } from '../factory.js';
import { GRU_RULES } from '../flavour.js';
import type { GruVariant } from './types.js';

/**
 * `gru-end-before-flush`: the TLB flush moved from `invalidate_range_start` into
 * `invalidate_range_end`, after the decrement. Between start and end the TLB keeps
 * entries of pages whose PTEs are being cleared, and the device keeps using them.
 * Kernel counterpart: `gru_invalidate_range_end` calling `gru_flush_tlb_range` after its
 * `atomic_dec_and_test`, with none in start.
 */
export const GRU_END_BEFORE_FLUSH: GruVariant = {
  name: 'gru-end-before-flush',
  bug: 'invalidate_range_start only counts; invalidate_range_end decrements ms_range_active, wakes waiters, and only then flushes the TLB',
  race: true,
  driver: createGruDriver({ name: 'gru-end-before-flush', rules: { ...GRU_RULES, flushesInStart: false } }),
  reference: gru,
  scenario: 'dontneed-vs-device-fault',
  era: 'v6',
  expectedKinds: ['access-in-invalidation', 'use-after-free', 'stale-read'],
  schedules: 40,
};
