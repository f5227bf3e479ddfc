import { PG } from '../frames.js';
import type { MemoryState } from '../memory-state.js';
import { isAnonVma, isInode } from '../mm-types.js';
import type { ReportFinding } from './finding.js';

/**
 * Per-frame counts against the page tables, the page cache and the free list:
 *
 * - a free frame has refcount, mapcount and pins 0 and is off the LRU, and the free
 *   frames are as many as the allocator's free list holds;
 * - an in-use frame's mapcount equals the PTEs mapping it (`mapped`, from the PTE
 *   pass), its refcount is at least mapcount + pins + 1 if it is cached (`inCache`),
 *   and no count is negative;
 * - its mapping names an owner that exists: an anon_vma for an anonymous frame, else
 *   the inode whose page cache holds it at its index.
 *
 * Kernel counterpart: `bad_page()` ("BUG: Bad page state") from `free_page_is_bad()`
 * and `check_new_page()` — a free page with a mapcount, a refcount, a mapping or
 * PG_lru; `VM_BUG_ON_FOLIO()` on a refcount at or below zero; `folio->mapping`'s
 * PAGE_MAPPING_ANON bit against `PageAnon()`; the zone's free count.
 */
export function checkFrames(mem: MemoryState, mapped: Int32Array, inCache: Uint8Array, report: ReportFinding): void {
  const f = mem.frames;
  let free = 0;
  for (let pfn = 0; pfn < f.count; pfn++) {
    const flags = f.flags[pfn]!;
    const ref = f.refcount[pfn]!;
    const map = f.mapcount[pfn]!;
    const pins = f.pincount[pfn]!;
    if ((flags & PG.free) !== 0) {
      free++;
      if (ref !== 0 || map !== 0 || pins !== 0) report(`free pfn ${pfn} has refcount ${ref}, mapcount ${map}, pincount ${pins} (all must be 0)`, pfn);
      if (f.lruNext[pfn] !== -1 || f.lruPrev[pfn] !== -1 || (flags & PG.lru) !== 0) {
        report(`free pfn ${pfn} is still on the LRU (prev ${f.lruPrev[pfn]}, next ${f.lruNext[pfn]}, PG_lru ${(flags & PG.lru) !== 0 ? 1 : 0})`, pfn);
      }
      continue;
    }
    if (map !== mapped[pfn]) report(`pfn ${pfn} has mapcount ${map} but ${mapped[pfn]} PTE(s) map it`, pfn);
    const cache = inCache[pfn]! > 0 ? 1 : 0;
    if (ref <= 0 || ref < map + pins + cache) {
      report(`pfn ${pfn} has refcount ${ref}, below mapcount ${map} + pincount ${pins} + page cache ${cache} = ${map + pins + cache}${ref <= 0 ? ' (and it is not free)' : ''}`, pfn);
    }
    if (pins < 0 || map < 0) report(`pfn ${pfn} has a negative count: mapcount ${map}, pincount ${pins}`, pfn);
    const id = f.mapping[pfn]!;
    if (id === 0) continue;
    const owner = mem.ownerOf(pfn);
    if (owner === undefined) report(`pfn ${pfn} names mapping ${id}, which does not exist`, pfn);
    else if ((flags & PG.anon) !== 0 && !isAnonVma(owner)) report(`anonymous pfn ${pfn} names ${owner.name} (inode ${id}) as its mapping, not an anon_vma`, pfn);
    else if ((flags & PG.anon) === 0 && isAnonVma(owner)) report(`pfn ${pfn} names anon_vma ${id} as its mapping but is not PageAnon`, pfn);
    else if (isInode(owner) && (flags & PG.anon) === 0 && owner.pageCache.get(f.index[pfn]!) !== pfn) {
      const there = owner.pageCache.get(f.index[pfn]!);
      report(`pfn ${pfn} says it is page ${f.index[pfn]} of ${owner.name} (inode ${id}), but that page-cache slot holds ${there === undefined ? 'nothing' : `pfn ${there}`}`, pfn);
    }
  }
  if (free !== mem.allocator.freeCount) report(`${free} frames are flagged free but the allocator's free list holds ${mem.allocator.freeCount}`);
}
