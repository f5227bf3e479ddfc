import { andThen } from '@secondary-mmu/core-mm';
import { mmuIntervalSetSeq } from '@secondary-mmu/mmu-notifier';
import { odpMirror, odpMirrorDriver } from '../../odp/factory.js';
import type { KillMatrixVariant } from '../types.js';

/**
 * (multi-region) The ODP mirror written as if it had one region: every region's
 * `invalidate` clips the range to the first registered region instead of its own, so
 * the first region is zapped and the others keep translations of pages the
 * invalidation is taking away. Caught only through the second region: a device that
 * registered one region behaves correctly.
 */
export const MULTI_REGION: KillMatrixVariant = {
  name: 'multi-region',
  bug: "each region's interval invalidate zaps its range clipped to the first registered region, not to its own: the second region's translations survive their invalidation",
  race: true,
  driver: odpMirrorDriver({
    name: 'multi-region',
    invalidate(mirror, region, task, isub, range, curSeq) {
      if (!range.blockable) return false;
      const first = mirror.regions[0]!;
      return andThen(region.mutex.lock(task), () => {
        mmuIntervalSetSeq(isub, curSeq);
        mirror.device.dropRange(range.mm, Math.max(first.start, range.start), Math.min(first.end, range.end));
        return andThen(region.mutex.unlock(task), () => true);
      });
    },
  }),
  reference: odpMirror,
  scenario: 'munmap-across-regions',
  era: 'v6',
  expectedKinds: ['access-in-invalidation', 'use-after-free', 'lost-write', 'stale-read', 'map-in-invalidation'],
  schedules: 20,
};
