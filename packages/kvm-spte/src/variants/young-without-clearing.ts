import { PAGE_SIZE } from '@secondary-mmu/core-mm';
import { kvmSpte, makeKvmSpteFactory } from '../factory.js';
import { withMmuLock } from '../locked.js';
import { kvmNotifierOpsV6 } from '../notifier-ops-v6.js';
import { countYoung } from '../young.js';
import type { KvmSpteVariant } from './variant.js';

/**
 * Aging that answers whether the range was used but clears no accessed bit: a page the
 * guest touched once stays young for ever, and idle-page tracking reports it used
 * although nothing touched it since the clear. Deterministic. Kernel counterpart:
 * `kvm_mmu_notifier_clear_young()` calling `kvm_test_age_gfn()` instead of
 * `kvm_age_gfn()`.
 */
export const YOUNG_WITHOUT_CLEARING: KvmSpteVariant = Object.freeze({
  name: 'kvm-spte-young-without-clearing',
  bug: 'clear_young reports the accessed bits of the range without clearing them',
  race: false,
  driver: makeKvmSpteFactory({
    name: 'kvm-spte-young-without-clearing',
    refs: 'none',
    ops: (vm) => ({
      ...kvmNotifierOpsV6(vm),
      clearYoung: (task, _sub, _mm, start, end) =>
        withMmuLock(vm.mmuLock, task, () => {
          let young = false;
          for (let page = start - (start % PAGE_SIZE); page < end; page += PAGE_SIZE) young = vm.sptes.testYoung(page) || young;
          return countYoung(vm, young);
        }),
    }),
  }),
  reference: kvmSpte,
  scenario: 'idle-scan-vs-device-access',
  era: 'v6',
  expectedKinds: Object.freeze(['aging']),
  schedules: 20,
});
