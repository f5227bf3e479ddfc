import type { Mm, MmuNotifierRange } from '@secondary-mmu/core-mm';

/** What listeners see of a range callback. */
export function rangeWhere(range: MmuNotifierRange): { mm: Mm; start: number; end: number; pfn: number; event: MmuNotifierRange['event']; blockable: boolean } {
  return { mm: range.mm, start: range.start, end: range.end, pfn: -1, event: range.event, blockable: range.blockable };
}
