import { EAGAIN } from '@secondary-mmu/core-mm';
import { classicMirror } from '../../classic-mirror/factory.js';
import { classicVariant } from '../classic-variant.js';
import type { KillMatrixVariant } from '../types.js';

/**
 * The classic mirror's `invalidate_range_start` answering -EAGAIN while the device holds
 * translations, although the range is blockable and the notifier implements
 * `invalidate_range_end`. Deterministic: any invalidation of a non-empty mirror fails.
 * Kernel counterpart: the `WARN_ON` in `mn_hlist_invalidate_range_start()`.
 */
export const FAILS_START_WITH_END: KillMatrixVariant = {
  name: 'fails-start-with-end',
  bug: 'invalidate_range_start fails with -EAGAIN while the device holds translations (even when blockable), and the notifier implements invalidate_range_end',
  race: false,
  driver: classicVariant('fails-start-with-end', {
    ops(ops, state) {
      const start = ops.invalidateRangeStart!;
      ops.invalidateRangeStart = (task, sub, range) => (state.table.size > 0 ? EAGAIN : start(task, sub, range));
    },
  }),
  reference: classicMirror,
  scenario: 'dontneed-vs-device-fault',
  era: 'v6',
  expectedKinds: ['notifier-warn'],
  schedules: 20,
};
