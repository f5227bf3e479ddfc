import { PAGE_SIZE } from '@secondary-mmu/core-mm';
import { classicMirror } from '../../classic-mirror/factory.js';
import { withMmuLock } from '../../classic-mirror/locked.js';
import { classicVariant } from '../classic-variant.js';
import type { KillMatrixVariant } from '../types.js';

/**
 * The classic mirror's range clear stopping at the first young page (`||`), so later
 * pages of the range keep their accessed bits. Deterministic: any clear of a range with
 * two young pages. Kernel counterpart: a `kvm_age_gfn` loop that returns early.
 */
export const AGING_SHORT_CIRCUIT: KillMatrixVariant = {
  name: 'aging-short-circuit',
  bug: 'clear_young / clear_flush_young test and clear page by page and return at the first young one (||), so later pages of the range keep their accessed bits',
  race: false,
  driver: classicVariant('aging-short-circuit', {
    ops(ops, state) {
      const clearUntilYoung = (start: number, end: number): boolean => {
        for (let p = start; p < end; p += PAGE_SIZE) if (state.table.testAndClearYoung(p, p + PAGE_SIZE)) return true;
        return false;
      };
      ops.clearFlushYoung = (task, _sub, _mm, start, end) => withMmuLock(state.mmuLock, task, () => clearUntilYoung(start, end));
      ops.clearYoung = ops.clearFlushYoung;
    },
  }),
  reference: classicMirror,
  scenario: 'idle-scan-vs-device-access',
  era: 'v6',
  expectedKinds: ['aging'],
  schedules: 20,
};
