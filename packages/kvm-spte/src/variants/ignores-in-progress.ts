import { kvmSpte, makeKvmSpteFactory } from '../factory.js';
import type { KvmSpteVariant } from './variant.js';

/**
 * The guest fault's check compares only the sequence and ignores the invalidations in
 * progress (and their guest-frame range): a fault that read the sequence after an
 * invalidation's start installs between that start and its end — the sequence moves only
 * at the end — and the guest then uses that spte in the window or after the page is
 * freed. A race: the fault must run inside the start/end window. Kernel counterpart:
 * `mmu_invalidate_retry_gfn()` without its `mmu_invalidate_in_progress` / range test.
 */
export const IGNORES_IN_PROGRESS: KvmSpteVariant = Object.freeze({
  name: 'kvm-spte-ignores-in-progress',
  bug: 'the guest fault checks only the sequence, not the invalidations in progress, and installs between invalidate_range_start and _end',
  race: true,
  driver: makeKvmSpteFactory({ name: 'kvm-spte-ignores-in-progress', refs: 'none', retry: () => (vm, mmuSeq) => vm.invalidateSeq !== mmuSeq }),
  reference: kvmSpte,
  scenario: 'fault-vs-munmap',
  era: 'v6',
  expectedKinds: Object.freeze(['map-in-invalidation', 'access-in-invalidation', 'use-after-free']),
  schedules: 60,
});
