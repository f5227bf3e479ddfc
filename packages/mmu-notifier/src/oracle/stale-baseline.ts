import type { MmEvent } from '@secondary-mmu/core-mm';
import type { CoherenceOracle } from './oracle.js';
import type { DeviceTranslation } from './translation.js';

/**
 * @internal What "the CPU has written there since" is measured against, for the
 * stale-read rule. When a PTE event maps a frame Q at the address of a live handle
 * whose frame is not Q (a COW copy, a swap-in to a new frame, a fault after an unmap,
 * a migration's new frame), the handle remembers Q and Q's content word at that
 * moment: its *baseline*. A read is stale only if Q's word has changed since (see
 * `judgeOutcome`). A handle established while the primary already mapped another frame
 * there — Arcangeli's stale spte, installed after the invalidation it missed — has no
 * baseline: its view was never the process's, so any difference between the two words
 * counts. Kernel counterpart: none.
 */
export function baselineOnPte(oracle: CoherenceOracle, e: Extract<MmEvent, { kind: 'pte' }>, handles: readonly DeviceTranslation[]): void {
  const q = e.newPfn;
  if (q < 0) return; // nothing mapped: the CPU cannot write there until something is
  const content = oracle.machine.mem.frames.content;
  for (const h of handles) {
    if (q === h.pfn) h.state.baselinePfn = -1;
    else if (h.state.baselinePfn !== q) {
      h.state.baselinePfn = q;
      h.state.baselineContent = content[q]!;
    }
  }
}
