import { PG } from '../frames.js';
import type { MemoryState } from '../memory-state.js';
import type { ReportFinding } from './finding.js';

/**
 * Each page-cache entry of each file lies below its `i_size` in pages and names a
 * frame that exists, is not free, says it is that page of that file, and is cached
 * once. Returns the cache references per frame (saturating at 255), for the frames'
 * refcount check.
 *
 * Kernel counterpart: what lookups re-check after finding a folio in `i_pages`
 * (`folio->mapping != mapping`, `folio->index`), and truncation's guarantee that no
 * page stays cached beyond i_size (`truncate_inode_pages_range()`).
 */
export function checkPageCaches(mem: MemoryState, report: ReportFinding): Uint8Array {
  const f = mem.frames;
  const inCache = new Uint8Array(f.count);
  for (const inode of mem.inodes()) {
    for (const [index, pfn] of inode.pageCache) {
      const where = `page ${index} of ${inode.name} (inode ${inode.id})`;
      if (index >= inode.pages) {
        report(`page cache beyond i_size: ${where} is cached in pfn ${pfn}, but i_size is ${inode.size} bytes (${inode.pages} page(s)), so the last index is ${inode.pages - 1}`, f.valid(pfn) ? pfn : -1);
      }
      if (!f.valid(pfn)) {
        report(`${where} is cached in pfn ${pfn}, which is not a frame`);
        continue;
      }
      if ((f.flags[pfn]! & PG.free) !== 0) report(`freed frame still in the page cache: ${where} is pfn ${pfn}, which is free`, pfn);
      else if (f.mapping[pfn] !== inode.id || f.index[pfn] !== index) {
        report(`${where} is pfn ${pfn}, but the frame says it is page ${f.index[pfn]} of mapping ${f.mapping[pfn]}`, pfn);
      }
      if (inCache[pfn]! > 0) report(`pfn ${pfn} is in the page cache more than once (again as ${where})`, pfn);
      // Stryker disable next-line MethodExpression,ArithmeticOperator: only read as cached or not (> 0); 255 and a wrapped -1 are > 0 too
      inCache[pfn] = Math.min(255, inCache[pfn]! + 1);
    }
  }
  return inCache;
}
