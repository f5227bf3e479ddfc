import { allocDriverPage, freeDriverPage } from '@secondary-mmu/core-mm';
import { dmirrorDoFault } from '../../dmirror/do-fault.js';
import { dmirror } from '../../dmirror/factory.js';
import { dmirrorVariant } from '../dmirror-variant.js';
import type { KillMatrixVariant } from '../types.js';

/**
 * dmirror's fault commit (`dmirror_do_fault`, under `dmirror->mutex`) storing into its
 * page table with a sleeping allocation (`GFP_KERNEL`, which may enter reclaim) instead
 * of `GFP_ATOMIC`; reclaim calls `invalidate`, which takes `dmirror->mutex`, holding
 * `fs_reclaim`: mutex → fs_reclaim here, fs_reclaim → mutex there. The allocation is
 * the xarray node `xa_store` may need, freed at once: the model keeps only its context.
 * Deterministic: lockdep records both orders on any schedule that faults and reclaims.
 * Kernel counterpart: `xa_store(&dmirror->pt, pfn, entry, GFP_KERNEL)`.
 */
export const ALLOC_UNDER_NOTIFIER_LOCK: KillMatrixVariant = {
  name: 'alloc-under-notifier-lock',
  bug: "dmirror's fault commit allocates with allocDriverPage(…, 'kernel') (GFP_KERNEL) under dmirror->mutex, the lock its invalidate takes (from reclaim too)",
  race: false,
  driver: dmirrorVariant('alloc-under-notifier-lock', {
    async doFault(dm, task, start, pfns) {
      freeDriverPage(dm.machine.mem, task, await allocDriverPage(dm.machine.mem, task, 'kernel'));
      dmirrorDoFault(dm, task, start, pfns);
    },
  }),
  reference: dmirror,
  scenario: 'access-vs-reclaim',
  era: 'v6',
  expectedKinds: ['lock-inversion'],
  schedules: 20,
};
