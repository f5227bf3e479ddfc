import { kvmSpte, makeKvmSpteFactory } from '../factory.js';
import type { KvmSpteVariant } from './variant.js';

/**
 * Arcangeli's race, unguarded: the guest fault installs whatever it resolved, even if an
 * invalidation ran (or is running) between its sequence read and its install — the
 * invalidation found no spte to zap, and the fault then maps the page it is freeing.
 * A race: only a zap landing between the resolve and the install exposes it. Kernel
 * counterpart: a fault path without `mmu_notifier_retry()` / `mmu_invalidate_retry_gfn()`
 * (what KVM had before the MMU notifier's sequence, 2008).
 */
export const NO_RETRY_CHECK: KvmSpteVariant = Object.freeze({
  name: 'kvm-spte-no-retry-check',
  bug: 'the guest fault installs the spte it resolved without the sequence / in-progress retry check',
  race: true,
  driver: makeKvmSpteFactory({ name: 'kvm-spte-no-retry-check', refs: 'none', retry: () => () => false }),
  reference: kvmSpte,
  scenario: 'dontneed-vs-device-fault',
  era: 'v6',
  expectedKinds: Object.freeze(['map-in-invalidation', 'access-in-invalidation', 'use-after-free', 'stale-read']),
  schedules: 80,
});
