import { classicMirror } from '../../classic-mirror/factory.js';
import { classicVariant } from '../classic-variant.js';
import { sleepInInvalidations } from '../sleeping-invalidations.js';
import type { KillMatrixVariant } from '../types.js';

/**
 * The classic mirror's invalidations sleeping in `v2.6.27`, which calls them under
 * `rcu_read_lock()`. Deterministic: any invalidation sleeps in atomic context. Kernel
 * counterpart: "sleeping function called from invalid context" under
 * `CONFIG_DEBUG_ATOMIC_SLEEP`.
 */
export const SLEEPS_IN_ATOMIC: KillMatrixVariant = {
  name: 'sleeps-in-atomic',
  bug: 'invalidate_range_start / invalidate_page sleep (wait for the device) although v2.6.27 calls them under rcu_read_lock()',
  race: false,
  driver: classicVariant('sleeps-in-atomic', sleepInInvalidations),
  reference: classicMirror,
  scenario: 'fault-vs-munmap',
  era: 'v2.6.27',
  expectedKinds: ['might-sleep'],
  schedules: 20,
};
