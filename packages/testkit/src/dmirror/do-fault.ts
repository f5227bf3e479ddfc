import { PAGE_SIZE, type HmmPfn, type Task } from '@secondary-mmu/core-mm';
import type { DmirrorState } from './state.js';

/**
 * Install what `hmm_range_fault` answered for the pages from `start`: one mirror entry
 * per page, writable only where the CPU page table maps the page writable. Called under
 * `dmirror->mutex`, after `mmuIntervalReadRetry` said no invalidation ran since the
 * answer was read. A device closed meanwhile installs nothing.
 *
 * Kernel counterpart: `dmirror_do_fault()` (`xa_store` with `DPT_XA_TAG_WRITE` when
 * `HMM_PFN_WRITE`).
 */
export function dmirrorDoFault(dmirror: DmirrorState, task: Task, start: number, pfns: readonly HmmPfn[]): void {
  if (dmirror.closed) return;
  pfns.forEach((page, k) => {
    dmirror.table.store(task, start + k * PAGE_SIZE, page.pfn, page.write);
  });
}
