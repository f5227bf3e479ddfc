import { createGruDriver, gru } from '../factory.js';
import { GRU_RULES } from '../flavour.js';
import type { GruVariant } from './types.js';

/**
 * `gru-kernel-release`: `release` as the kernel's GRU has it — 2.6.27 to 5.3's
 * `gru_release` only sets `ms_released`, and since 5.4 there is none. The TLBs keep the
 * exiting mm's entries while `exit_mmap` frees its pages; the model's engine, not a
 * thread of the exiting process, reaches them (the release race of docs/notifier.md).
 * Kernel counterpart: `gru_release` (2.6.27–5.3); `gru_mmuops` without `.release` (5.4+).
 */
export const GRU_KERNEL_RELEASE: GruVariant = {
  name: 'gru-kernel-release',
  bug: 'release only sets ms_released (no release at all in v6): no context is unloaded before exit frees the pages',
  race: false,
  driver: createGruDriver({ name: 'gru-kernel-release', rules: { ...GRU_RULES, releaseFlushes: false } }),
  reference: gru,
  scenario: 'exit-vs-device-access',
  era: 'v2.6.27',
  expectedKinds: ['leak', 'use-after-free'],
  schedules: 10,
};
