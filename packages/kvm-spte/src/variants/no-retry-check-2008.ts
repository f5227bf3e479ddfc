import { kvmSpteHoldingRefs, makeKvmSpteFactory } from '../factory.js';
import type { KvmSpteVariant } from './variant.js';

/**
 * Arcangeli's race in 2.6.27, where each spte holds a page reference: the guest fault
 * installs without `mmu_notifier_retry()`. The reference keeps the page from being
 * freed, so there is no use-after-free — but the spte maps a page the process no longer
 * maps, and a guest write through it is lost (or a read stale). References do not make
 * the retry optional. A race. Kernel counterpart: 2.6.27's `tdp_page_fault()` /
 * `nonpaging_map()` without the `mmu_notifier_retry()` check.
 */
export const NO_RETRY_CHECK_2008: KvmSpteVariant = Object.freeze({
  name: 'kvm-spte-no-retry-check-2008',
  bug: 'the guest fault installs the spte it resolved without mmu_notifier_retry, sptes holding page references (2.6.27)',
  race: true,
  driver: makeKvmSpteFactory({ name: 'kvm-spte-no-retry-check-2008', refs: 'per-spte', retry: () => () => false }),
  reference: kvmSpteHoldingRefs,
  scenario: 'fault-vs-munmap',
  era: 'v2.6.27',
  expectedKinds: Object.freeze(['lost-write', 'stale-read', 'revoked-translation']),
  schedules: 60,
});
