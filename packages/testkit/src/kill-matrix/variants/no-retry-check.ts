import { classicMirror } from '../../classic-mirror/factory.js';
import { classicMirrorFault } from '../../classic-mirror/fault.js';
import { classicVariant } from '../classic-variant.js';
import type { KillMatrixVariant } from '../types.js';

/**
 * The classic mirror's fault without its retry check: it resolves, takes `mmu_lock` and
 * installs whatever it resolved, even if an invalidation ran (or is running) meanwhile.
 * A race: only a zap landing between the fault's resolve and its install exposes it.
 * Kernel counterpart: a KVM fault path without `mmu_invalidate_retry()`.
 */
export const NO_RETRY_CHECK: KillMatrixVariant = {
  name: 'no-retry-check',
  bug: 'the device fault installs what it resolved without the sequence / in-progress retry check',
  race: true,
  driver: classicVariant('no-retry-check', {
    fault: (state, task, address, write) => classicMirrorFault(state, task, address, write, () => false),
  }),
  reference: classicMirror,
  scenario: 'dontneed-vs-device-fault',
  era: 'v6',
  expectedKinds: ['map-in-invalidation', 'access-in-invalidation', 'use-after-free', 'stale-read'],
  schedules: 80,
};
