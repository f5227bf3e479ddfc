import { hex, pageAligned, TASK_SIZE } from '../layout.js';
import type { Mm, Vma } from '../mm-types.js';
import type { ReportFinding } from './finding.js';

/**
 * An mm's vmas, in tree order: each is page aligned, non-empty, inside user space,
 * after the previous one and disjoint from it, belongs to that mm, and is linked into
 * its file's `i_mmap` and its anon_vma's tree.
 *
 * Kernel counterpart: `validate_mm()` (CONFIG_DEBUG_VM_MAPLE_TREE) — each vma's bounds
 * against the tree, then `anon_vma_interval_tree_verify()` over its chains.
 */
export function checkVmas(mm: Mm, vmas: readonly Vma[], report: ReportFinding): void {
  let prevEnd = 0;
  for (const vma of vmas) {
    const where = `mm ${mm.id}: vma ${hex(vma.start)}-${hex(vma.end)}`;
    if (!pageAligned(vma.start) || !pageAligned(vma.end)) report(`${where} is not page aligned`);
    if (!(vma.start < vma.end)) report(`${where} is empty or inverted (start >= end)`);
    if (vma.start < 0 || vma.end > TASK_SIZE) report(`${where} is outside user space (0-${hex(TASK_SIZE)})`);
    if (vma.start < prevEnd) report(`${where} overlaps or precedes the previous vma, which ends at ${hex(prevEnd)} (vmas must be sorted and disjoint)`);
    prevEnd = Math.max(prevEnd, vma.end);
    if (vma.mm !== mm) report(`${where} is in mm ${mm.id}'s tree but belongs to mm ${vma.mm.id}`);
    if (vma.file !== null && vma.iMmapNode === null) report(`${where} maps ${vma.file.name} but is not linked into its i_mmap`);
    if (vma.anonVma !== null && !vma.chains.some((c) => c.anonVma === vma.anonVma && c.node !== null)) {
      report(`${where} has anon_vma ${vma.anonVma.id} but no anon_vma_chain links it there`);
    }
  }
}
