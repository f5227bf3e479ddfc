import { PAGE_SIZE, type MmEvent } from '@secondary-mmu/core-mm';
import type { CallbackCall } from '../events.js';
import type { JudgedTranslation } from './judged-translation.js';
import type { OracleContext } from './oracle-context.js';

/**
 * @internal Downgrades may wait, for TLBs sharing the CPU page table
 * (`'shares-cpu-page-table'`): the kernel write-protects PTEs (mprotect, fork,
 * `page_mkclean`) and flushes the TLBs afterwards — the secondary one through
 * `arch_invalidate_secondary_tlbs`, as late as the end of the range
 * (`tlb_finish_mmu`) — so until that flush the device may still write through the
 * writable entry it cached, as the CPU may through its own TLB. A PTE event that takes
 * write permission from the frame a live, writable handle of such a device translates
 * (same frame, `write` before, not after) makes the handle *wait*, if the device
 * answers for a subscription; the next `arch_invalidate_secondary_tlbs` of that
 * subscription covering the handle's address ends the wait when it returns. Meanwhile
 * `judgeOutcome` does not report the handle's writes as `write-through-read-only`;
 * after it, a handle the driver kept writable is reported again. Only the `v6` era has
 * the callback: in the 2008 eras nothing waits. Kernel counterpart: none; it encodes
 * "downgrades may wait" of `Documentation/mm/mmu_notifier.rst`.
 */
export class DeferredDowngrades {
  private readonly waiting = new Set<JudgedTranslation>();

  constructor(private readonly oracle: OracleContext) {}

  /** May a write through `h` still go where the CPU's PTE is no longer writable? */
  waits(h: JudgedTranslation): boolean {
    return this.waiting.size > 0 && this.waiting.has(h);
  }

  /** A PTE event that kept the frame (`newPfn === oldPfn`) at the address of `handles`. */
  onPte(e: Extract<MmEvent, { kind: 'pte' }>, handles: readonly JudgedTranslation[]): void {
    if (
      e.oldPermission !== 'write' ||
      // Stryker disable next-line StringLiteral: a PTE event keeping write permission only adds a wait that the flush completing that same change ends
      e.newPermission === 'write' ||
      this.oracle.machine.era !== 'v6'
    )
      return;
    for (const h of handles) if (h.device.driverClass === 'shares-cpu-page-table' && h.subscription !== null && h.pfn === e.newPfn && h.state.writable) this.waiting.add(h);
  }

  onReturn(call: CallbackCall): void {
    if (call.callback !== 'arch_invalidate_secondary_tlbs' || this.waiting.size === 0) return;
    for (const h of this.waiting) {
      if (h.subscription === call.subscriber && h.mm === call.mm && h.address < call.end && h.address + PAGE_SIZE > call.start) this.waiting.delete(h);
    }
  }

  /** A handle was dropped. */
  // Stryker disable next-line BlockStatement: a dropped handle is never judged again (writes through it fail first), so keeping it only costs memory
  onDropped(h: JudgedTranslation): void {
    this.waiting.delete(h);
  }
}
