import { classicMirror } from '../../classic-mirror/factory.js';
import { withMmuLock } from '../../classic-mirror/locked.js';
import { classicVariant } from '../classic-variant.js';
import type { KillMatrixVariant } from '../types.js';

/**
 * The classic mirror's aging clearing the device accessed bits, then answering from the
 * bits it has just cleared (never young). Deterministic: any clear of a page the device
 * accessed answers wrong. Kernel counterpart: `kvm_mmu_notifier_clear_flush_young`
 * returning the state after its `kvm_age_gfn`.
 */
export const AGING_ANSWERS_AFTER_CLEAR: KillMatrixVariant = {
  name: 'aging-answers-after-clear',
  bug: 'clear_flush_young / clear_young clear the device accessed bits, then answer from the cleared bits (never young)',
  race: false,
  driver: classicVariant('aging-answers-after-clear', {
    ops(ops, state) {
      const clearThenTest = (start: number, end: number): boolean => {
        state.table.testAndClearYoung(start, end);
        return state.table.testYoung(start);
      };
      ops.clearFlushYoung = (task, _sub, _mm, start, end) => withMmuLock(state.mmuLock, task, () => clearThenTest(start, end));
      ops.clearYoung = ops.clearFlushYoung;
    },
  }),
  reference: classicMirror,
  scenario: 'idle-scan-vs-device-access',
  era: 'v6',
  expectedKinds: ['aging'],
  schedules: 20,
};
