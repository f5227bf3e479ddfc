import { andThen } from '@secondary-mmu/core-mm';
import { kvmSpte, makeKvmSpteFactory } from '../factory.js';
import { kvmNotifierOpsV6 } from '../notifier-ops-v6.js';
import type { KvmSpteVariant } from './variant.js';

/**
 * Aging that clears the sptes' accessed bits but always answers "old": reclaim then
 * takes a page the guest keeps using. Deterministic: any aging pass after a guest access
 * shows it. Kernel counterpart: `kvm_mmu_notifier_clear_flush_young()` discarding
 * `kvm_age_gfn()`'s answer.
 */
export const YOUNG_REPORTS_OLD: KvmSpteVariant = Object.freeze({
  name: 'kvm-spte-young-reports-old',
  bug: 'clear_flush_young clears the accessed bits and flushes, but answers not young',
  race: false,
  driver: makeKvmSpteFactory({
    name: 'kvm-spte-young-reports-old',
    refs: 'none',
    ops: (vm) => {
      const ops = kvmNotifierOpsV6(vm);
      const clear = ops.clearFlushYoung!;
      return { ...ops, clearFlushYoung: (task, sub, mm, start, end) => andThen(clear(task, sub, mm, start, end), () => false) };
    },
  }),
  reference: kvmSpte,
  scenario: 'access-vs-aging',
  era: 'v6',
  expectedKinds: Object.freeze(['aging']),
  schedules: 20,
});
