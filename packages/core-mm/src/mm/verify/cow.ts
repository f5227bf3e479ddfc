import { hex, PAGE_SIZE, PTRS_PER_TABLE } from '../layout.js';
import type { MemoryState } from '../memory-state.js';
import type { Mm } from '../mm-types.js';
import { PTE } from '../pte.js';
import type { ReportFinding } from './finding.js';

/**
 * No COW breach: an anonymous frame mapped writable by a private vma is mapped by that
 * one PTE only — else a write through it would be seen by the other mappings. From the
 * PTE pass's counts (`mapped`, `writable`) in O(frames); only if some frame breaks it,
 * one more pass over the PTEs names the (mm, address) of its writable entries.
 *
 * Kernel counterpart: CONFIG_PAGE_TABLE_CHECK's `page_table_check_set()`, which BUGs
 * when an anonymous page gets a writable mapping while mapped elsewhere.
 */
export function checkCowBreaches(mem: MemoryState, mms: readonly Mm[], mapped: Int32Array, writable: Uint8Array, report: ReportFinding): void {
  const breached = new Set<number>();
  for (let pfn = 0; pfn < mem.frames.count; pfn++) if (writable[pfn]! > 0 && mapped[pfn] !== 1) breached.add(pfn);
  if (breached.size === 0) return;
  for (const mm of mms) {
    for (const table of mm.pageTable.allTables()) {
      for (let i = 0; i < PTRS_PER_TABLE; i++) {
        const bits = table.bits[i]!;
        if ((bits & (PTE.present | PTE.write | PTE.special)) !== (PTE.present | PTE.write)) continue;
        const pfn = table.word[i]!;
        if (!breached.has(pfn)) continue;
        const address = (table.base + i) * PAGE_SIZE;
        const vma = mm.vmas.lookup(address);
        if (vma === undefined || !vma.isPrivate) continue;
        const n = writable[pfn]!;
        report(
          `COW breach: mm ${mm.id} maps anonymous pfn ${pfn} writable at ${hex(address)} in the private vma ${vma.toString()}, but ${mapped[pfn]} PTE(s) map the frame (${n === 255 ? '255 or more' : n} of them writable; mapcount ${mem.frames.mapcount[pfn]}): a write through it would be seen by the other mappings`,
          pfn,
        );
      }
    }
  }
}
