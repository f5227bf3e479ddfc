import { PG, type Machine } from '@secondary-mmu/core-mm';

/**
 * References to page `pfn` beyond what the primary MMU accounts for: its refcount less
 * its mappings, its page-cache and its swap-cache reference — what a secondary MMU
 * holds (KVM's per-spte `get_user_pages` reference, a pin), plus any fault in flight.
 * The same count page migration refuses to move a page with. Zero for a free frame and
 * the zero page. Kernel counterpart: `folio_expected_ref_count()` subtracted from
 * `folio_ref_count()` (mm/migrate.c).
 */
export function extraReferences(machine: Machine, pfn: number): number {
  const mem = machine.mem;
  const f = mem.frames;
  if (!f.valid(pfn) || pfn === mem.allocator.zeroPfn || (f.flags[pfn]! & PG.free) !== 0) return 0;
  const owner = mem.ownerOf(pfn) as { pageCache?: { get(index: number): number | undefined } } | undefined;
  const cached = owner?.pageCache?.get(f.index[pfn]!) === pfn ? 1 : 0;
  const swapCached = (f.flags[pfn]! & PG.swapcache) !== 0 ? 1 : 0;
  return Math.max(0, f.refcount[pfn]! - f.mapcount[pfn]! - cached - swapCached);
}
