import { andThen } from '@secondary-mmu/core-mm';
import { classicMirror } from '../../classic-mirror/factory.js';
import { withMmuLock } from '../../classic-mirror/locked.js';
import { classicVariant } from '../classic-variant.js';
import type { KillMatrixVariant } from '../types.js';

/**
 * The classic mirror zapping in `invalidate_range_end` instead of `_start`: start only
 * counts. A race: only a device access between munmap's start and its end — after the
 * pages may be freed — exposes it. Kernel counterpart: a notifier that tears down after
 * the primary freed the pages.
 */
export const NO_TEARDOWN_IN_START: KillMatrixVariant = {
  name: 'no-teardown-in-start',
  bug: 'invalidate_range_start only counts the invalidation; translations are zapped in invalidate_range_end, after the pages may be gone',
  race: true,
  driver: classicVariant('no-teardown-in-start', {
    ops(ops, state) {
      ops.invalidateRangeStart = (task) => andThen(withMmuLock(state.mmuLock, task, () => void state.inProgress++), () => 0);
      ops.invalidateRangeEnd = (task, _sub, range) =>
        withMmuLock(state.mmuLock, task, () => {
          state.table.zapRange(range.start, range.end);
          state.invalidateSeq++;
          state.inProgress--;
        });
    },
  }),
  reference: classicMirror,
  scenario: 'fault-vs-munmap',
  era: 'v6',
  expectedKinds: ['use-after-free', 'access-in-invalidation'],
  schedules: 40,
};
