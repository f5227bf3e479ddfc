import { PG } from '../frames.js';
import { hex, PAGE_SIZE, PTRS_PER_TABLE } from '../layout.js';
import type { MemoryState } from '../memory-state.js';
import { VM, VM_PROT_MASK, type Mm, type Vma } from '../mm-types.js';
import { describePte, isSwapPte, PTE } from '../pte.js';
import type { ReportFinding } from './finding.js';
import { checkSwapEntry, type SwapTally } from './swap.js';

/**
 * One pass over an mm's PTE tables, against its vmas (`vmas`, in address order):
 *
 * - every non-none entry lies inside a vma ("PTE outside its VMA");
 * - a swap entry is checked by {@link checkSwapEntry} and counted in `swap`;
 * - a present entry grants no more than its vma ({@link checkPermission}), names a
 *   frame that exists, and, unless special, one that is not free (a use-after-free);
 * - a special entry maps the zero page and is never writable;
 * - a writable entry of a private vma maps an anonymous frame (else a write would
 *   reach the file's page: a COW breach);
 * - each table's `used` counts its non-none entries, and `mm.rss` the present
 *   non-special entries.
 *
 * Counts, per frame, the present non-special entries mapping it in `mapped`, and in
 * `writable` (saturating at 255) the writable entries of private vmas mapping it when
 * anonymous, for the frame, rmap and COW checks that follow.
 *
 * Kernel counterpart: `vm_normal_page()`'s `print_bad_pte()` ("BUG: Bad page map") for
 * an entry naming no page or a special one that is not the zero page; `check_mm()`'s
 * "BUG: Bad rss-counter state" for the rss.
 */
export function checkPageTable(mem: MemoryState, mm: Mm, vmas: readonly Vma[], mapped: Int32Array, writable: Uint8Array, swap: SwapTally | null, report: ReportFinding): void {
  const f = mem.frames;
  const zero = mem.allocator.zeroPfn;
  let v = 0;
  let present = 0;
  for (const table of mm.pageTable.allTables()) {
    let used = 0;
    for (let i = 0; i < PTRS_PER_TABLE; i++) {
      const bits = table.bits[i]!;
      if (bits === 0) continue;
      used++;
      const address = (table.base + i) * PAGE_SIZE;
      const word = table.word[i]!;
      while (v < vmas.length && vmas[v]!.end <= address) v++;
      const vma = v < vmas.length && vmas[v]!.start <= address ? vmas[v]! : undefined;
      if (vma === undefined) {
        report(`PTE outside its VMA: mm ${mm.id} has an entry at ${hex(address)} (word ${word}, ${describePte(bits)}) but no vma covers that address`, (bits & PTE.present) !== 0 ? word : -1);
      }
      if ((bits & PTE.present) === 0) {
        if (isSwapPte(bits)) checkSwapEntry(mm, vma, address, word, swap, report);
        continue;
      }
      if (vma !== undefined) checkPermission(mem, mm, vma, address, word, bits, report);
      if (word >= f.count) {
        report(`mm ${mm.id}: PTE at ${hex(address)} maps pfn ${word}, beyond the ${f.count} frames of memory`);
        continue;
      }
      if ((bits & PTE.special) !== 0) {
        if (word !== zero) report(`mm ${mm.id}: special PTE at ${hex(address)} maps pfn ${word}, not the zero page (pfn ${zero})`, word);
        if ((bits & PTE.write) !== 0) {
          report(`writable zero page: mm ${mm.id} has a special PTE at ${hex(address)} (pfn ${word}, ${describePte(bits)}) with the write bit: a write would change the page every zero-page mapping reads`);
        }
        continue;
      }
      present++;
      mapped[word]!++;
      if ((f.flags[word]! & PG.free) !== 0) {
        report(`freed frame still mapped (use-after-free): pfn ${word} (generation ${f.generation[word]}) is free but mm ${mm.id} maps it at ${hex(address)}`, word);
      } else if ((bits & PTE.write) !== 0 && vma !== undefined && vma.isPrivate) {
        if ((f.flags[word]! & PG.anon) === 0) {
          report(
            `COW breach: mm ${mm.id} maps pfn ${word} writable at ${hex(address)} in the private vma ${vma.toString()}, but the frame is not anonymous (mapping ${f.mapping[word]}, index ${f.index[word]}, mapcount ${f.mapcount[word]}): a write through it would reach the file's page and every other mapping of it`,
            word,
          );
        } else if (writable[word]! < 255) {
          writable[word]!++;
        }
      }
    }
    if (used !== table.used) {
      report(`mm ${mm.id}: PTE table at ${hex(table.base * PAGE_SIZE)} has ${used} non-none entries but its used count is ${table.used}`);
    }
  }
  if (present !== mm.rss) report(`mm ${mm.id}: rss is ${mm.rss} but ${present} present non-special PTEs map frames`);
}

/**
 * A present entry grants no more than its vma: write needs `VM_WRITE`, user access
 * some of `VM_READ | VM_WRITE | VM_EXEC`.
 *
 * Kernel counterpart: the invariant `vm_get_page_prot(vma->vm_flags)` keeps — every PTE
 * built from `vma->vm_page_prot` (`mk_pte()`, `maybe_mkwrite()` only with VM_WRITE);
 * no checker, a fault path that broke it would let a task write what it may not.
 */
function checkPermission(mem: MemoryState, mm: Mm, vma: Vma, address: number, word: number, bits: number, report: ReportFinding): void {
  const pfn = word < mem.frames.count && (bits & PTE.special) === 0 ? word : -1;
  if ((bits & PTE.write) !== 0 && (vma.flags & VM.write) === 0) {
    report(`PTE more permissive than its vma: mm ${mm.id} maps pfn ${word} writable at ${hex(address)} (${describePte(bits)}) but the vma ${vma.toString()} (flags ${hex(vma.flags)}) has no VM_WRITE`, pfn);
  }
  if ((bits & PTE.user) !== 0 && (vma.flags & VM_PROT_MASK) === 0) {
    report(`PTE more permissive than its vma: mm ${mm.id} maps pfn ${word} user-accessible at ${hex(address)} (${describePte(bits)}) but the vma ${vma.toString()} (flags ${hex(vma.flags)}) is PROT_NONE (none of VM_READ, VM_WRITE, VM_EXEC)`, pfn);
  }
}
