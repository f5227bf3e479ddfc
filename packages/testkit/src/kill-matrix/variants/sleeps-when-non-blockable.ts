import { classicMirror } from '../../classic-mirror/factory.js';
import { classicVariant } from '../classic-variant.js';
import { sleepInInvalidations } from '../sleeping-invalidations.js';
import type { KillMatrixVariant } from '../types.js';

/**
 * The sleeping classic mirror in `v6`: caught only where a range is not blockable (the
 * OOM reaper). Deterministic: the reaper's unmap sleeps on every schedule that reaps.
 * Kernel counterpart: a sleep without `mmu_notifier_range_blockable()`, inside
 * `non_block_start()`.
 */
export const SLEEPS_WHEN_NON_BLOCKABLE: KillMatrixVariant = {
  name: 'sleeps-when-non-blockable',
  bug: "invalidate_range_start sleeps without checking mmu_notifier_range_blockable(), so it sleeps in the OOM reaper's non-blockable unmap",
  race: false,
  driver: classicVariant('sleeps-when-non-blockable', sleepInInvalidations),
  reference: classicMirror,
  scenario: 'oom-kill-vs-device-access',
  era: 'v6',
  expectedKinds: ['might-sleep'],
  schedules: 20,
};
