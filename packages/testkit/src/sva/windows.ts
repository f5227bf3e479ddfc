import type { Scenario, WindowElement } from '../scenario/schema.js';

/** The callbacks a TLB sharing the CPU page table hears of the same invalidation through `arch_invalidate_secondary_tlbs`. */
const FLUSHED_BY_SECONDARY_TLBS: readonly string[] = ['invalidate_range_start', 'invalidate_page'];

/**
 * `scenario` with every window element that names `invalidate_range_start` or
 * `invalidate_page` also naming `arch_invalidate_secondary_tlbs`: a driver sharing the
 * CPU page table (IOMMU SVA) registers neither, and hears of the same PTE change through
 * the flush. Elements naming no callback need nothing: the flush's trace record carries
 * the event of the range it completes, so `{ kind: callback, event: unmap, covers: buf[0] }`
 * matches it as it is. Other drivers never register the flush (a notifier may not
 * implement both it and start/end), so the widening changes nothing for them. The input
 * is not modified; a scenario without windows is returned as it is.
 *
 * Kernel counterpart: none — `mmu_notifier_arch_invalidate_secondary_tlbs()` is called by
 * the TLB flush (`flush_tlb_mm_range()`, `tlb_flush()`) inside or right after the range
 * the classic notifiers hear as start/end.
 */
export function withSecondaryTlbCallbacks(scenario: Scenario): Scenario {
  if (scenario.windows === undefined) return scenario;
  const widen = (e: WindowElement): WindowElement => {
    if (e.kind !== 'callback' || e.callback === undefined) return e;
    const names: readonly string[] = Array.isArray(e.callback) ? e.callback : [e.callback];
    if (!names.some((n) => FLUSHED_BY_SECONDARY_TLBS.includes(n)) || names.includes('arch_invalidate_secondary_tlbs')) return e;
    return { ...e, callback: [...names, 'arch_invalidate_secondary_tlbs'] } as WindowElement;
  };
  return { ...scenario, windows: scenario.windows.map((w) => ({ ...w, pattern: w.pattern.map(widen) })) };
}
