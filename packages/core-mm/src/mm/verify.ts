import { captureSite } from '../kernel/check/site.js';
import type { Violation } from '../kernel/check/violation.js';
import type { MemoryState } from './memory-state.js';
import type { Mm } from './mm-types.js';
import { checkCowBreaches } from './verify/cow.js';
import type { ReportFinding } from './verify/finding.js';
import { checkFrames } from './verify/frames.js';
import { checkPageCaches } from './verify/page-cache.js';
import { checkPageTable } from './verify/page-tables.js';
import { checkRmap, checkRmapTrees } from './verify/rmap.js';
import { checkSwapSlots, swapTally } from './verify/swap.js';
import { checkVmas } from './verify/vmas.js';

export { stateDigest } from './verify/digest.js';

/** Options of {@link verify}. */
export interface VerifyOptions {
  /** Record each finding in the machine's report as an `invariant` violation (default true). */
  readonly record?: boolean;
  /**
   * Findings reported one by one (default 100); the rest are counted in one closing
   * finding, so a badly corrupted machine does not flood the report.
   */
  readonly limit?: number;
}

interface Finding {
  readonly message: string;
  readonly details?: readonly string[];
}

/**
 * DEBUG_VM-style invariants of a machine's memory, checked at a quiescent point —
 * after a scenario, between operations of a test. One family per file of `verify/`,
 * run in this order (vmas and page tables mm by mm), which is the findings' order:
 *
 * - vmas (`verify/vmas.ts`, `validate_mm()`): page aligned, non-empty, inside user
 *   space, ordered and non-overlapping, owned by their mm, linked into their file's
 *   `i_mmap` and their anon_vma's tree;
 * - page tables (`verify/page-tables.ts`, `print_bad_pte()`, `check_mm()`): every
 *   non-none PTE inside a vma of its mm ("PTE outside its VMA"); a present entry names
 *   a frame that exists and is not free (a use-after-free) and grants no more than its
 *   vma; a special entry maps the zero page and is never writable; each table's `used`
 *   and `mm.rss` match the entries;
 * - swap (`verify/swap.ts`, `swap_map[]`): a swap entry names an allocated slot,
 *   in a vma with an anon_vma; each slot's count equals the entries naming it across
 *   all live mms — more is a leaked slot, fewer a slot that would be reused under an
 *   entry; the free list holds exactly the slots with count 0;
 * - COW (`verify/cow.ts`, page_table_check): a writable entry of a private vma
 *   maps an anonymous frame that exactly one PTE maps;
 * - page cache (`verify/page-cache.ts`): each entry names a live frame of that inode
 *   at that index, below `i_size`;
 * - frames (`verify/frames.ts`, `bad_page()`): an in-use frame's mapcount equals the
 *   PTEs mapping it, its refcount is at least mapcount + pins + 1 if cached, and its
 *   mapping names its anon_vma or the inode caching it; free frames have no counts,
 *   are off the LRU and are exactly the allocator's free list;
 * - rmap (`verify/rmap.ts`, `rmap_walk()`): the rmap walk (`rmapHits()`) finds every
 *   mapping of an anon or file page and nothing else; no `i_mmap` or anon_vma tree
 *   holds a vma of a dead mm or one detached from its mm.
 *
 * Kernel counterpart: CONFIG_DEBUG_VM's `VM_BUG_ON_*` checks, `check_mm()` and
 * `bad_page()`, run over the whole machine at once rather than where the kernel
 * happens to look; a finding's details are the frame's recorded history, as page_owner
 * adds allocation and free stacks to `dump_page()`.
 *
 * Cost O(frames + PTEs + cached pages + vmas + rmap tree sizes + swap slots) with typed-array
 * counters; an rmap walk per mapped frame. Returns the findings; unless `{ record: false }`, each is also
 * recorded in the machine's report as a violation of kind `invariant` (never thrown,
 * even on a strict machine). Messages name the pfn, address, mm and the numbers.
 */
export function verify(machine: { readonly mem: MemoryState }, options: VerifyOptions = {}): Violation[] {
  const mem = machine.mem;
  const limit = options.limit ?? 100;
  const findings: Finding[] = [];
  let dropped = 0;
  const report: ReportFinding = (message, pfn = -1) => {
    if (findings.length >= limit) {
      dropped++;
      return;
    }
    findings.push(pfn >= 0 && pfn < mem.frames.count ? { message, details: mem.frames.describe(pfn) } : { message });
  };

  const mms = liveMms(mem);
  // The PTE pass counts, per frame, its mappings and (for COW) its writable private ones.
  const mapped = new Int32Array(mem.frames.count);
  const writable = new Uint8Array(mem.frames.count);
  const swap = swapTally(mem);
  for (const mm of mms) {
    const vmas = mm.vmas.all();
    checkVmas(mm, vmas, report);
    checkPageTable(mem, mm, vmas, mapped, writable, swap, report);
  }
  if (swap !== null) checkSwapSlots(swap, report);
  checkCowBreaches(mem, mms, mapped, writable, report);
  const inCache = checkPageCaches(mem, report);
  checkFrames(mem, mapped, inCache, report);
  checkRmap(mem, mms, mapped, report);
  checkRmapTrees(mem, mms, report);
  if (dropped > 0) findings.push({ message: `verify: ${dropped} more invariant violation(s) not listed (limit ${limit})` });

  if (findings.length === 0) return [];
  const site = captureSite();
  const out: Violation[] = [];
  for (const f of findings) {
    if (options.record === false) {
      out.push({ kind: 'invariant', message: f.message, task: '-', heldLocks: [], site, ...(f.details === undefined ? {} : { details: f.details }), time: mem.kernel.clock.now });
    } else {
      mem.kernel.recordViolation(null, 'invariant', f.message, f.details, site);
      out.push(mem.kernel.report.violations[mem.kernel.report.violations.length - 1]!);
    }
  }
  return out;
}

/** The address spaces of live processes, each once. */
function liveMms(mem: MemoryState): Mm[] {
  const seen = new Set<Mm>();
  for (const p of mem.processes) if (p.mm !== null) seen.add(p.mm);
  return [...seen];
}
