import { andThen } from '@secondary-mmu/core-mm';
import { classicMirror } from '../../classic-mirror/factory.js';
import { withMmuLock } from '../../classic-mirror/locked.js';
import { classicVariant } from '../classic-variant.js';
import { DEVICE_WRITE_ACROSS_WRITEBACK } from '../scenarios/device-write-across-writeback.js';
import type { KillMatrixVariant } from '../types.js';

/**
 * The classic mirror ignoring `page_mkclean`'s `protection-page` invalidation (it counts
 * it, zaps nothing), so the device keeps writing through its writable translation after
 * writeback cleaned the page. Deterministic: any device write after a clean. Kernel
 * counterpart: a notifier that skips `MMU_NOTIFY_PROTECTION_PAGE` ranges.
 */
export const WRITABLE_ACROSS_WRITEBACK: KillMatrixVariant = {
  name: 'writable-across-writeback',
  bug: 'invalidate_range_start ignores protection-page ranges (page_mkclean), so the device keeps writing through its writable translation after writeback cleaned the page',
  race: false,
  driver: classicVariant('writable-across-writeback', {
    ops(ops, state) {
      const start = ops.invalidateRangeStart!;
      ops.invalidateRangeStart = (task, sub, range) =>
        range.event === 'protection-page' ? andThen(withMmuLock(state.mmuLock, task, () => void state.inProgress++), () => 0) : start(task, sub, range);
    },
  }),
  reference: classicMirror,
  scenario: DEVICE_WRITE_ACROSS_WRITEBACK,
  era: 'v6',
  expectedKinds: ['lost-write', 'write-through-read-only'],
  schedules: 20,
};
