import { PG } from '../frames.js';
import { hex, PAGE_SIZE, PTRS_PER_TABLE } from '../layout.js';
import type { MemoryState } from '../memory-state.js';
import { isAnonVma, type AnonVma, type Mm, type Vma } from '../mm-types.js';
import { PTE } from '../pte.js';
import { rmapHits } from '../rmap.js';
import type { ReportFinding } from './finding.js';

/**
 * Every present mapping of an anon or file page is found by the rmap walk
 * ({@link rmapHits}), and the walk finds only real mappings of live mms, each once.
 * One walk per mapped frame (`mapped`, from the PTE pass); only frames whose walk
 * disagrees with the PTE count get a second pass that names the (mm, address).
 *
 * Kernel counterpart: what `try_to_unmap()`, `folio_referenced()` and migration rely on
 * from `rmap_walk()`; a missed mapping shows as a folio still `folio_mapped()` after
 * `try_to_unmap()` (migration's and `split_folio()`'s failure), or as a PTE left to a
 * freed page.
 */
export function checkRmap(mem: MemoryState, mms: readonly Mm[], mapped: Int32Array, report: ReportFinding): void {
  const f = mem.frames;
  const live = new Set(mms);
  const suspects = new Map<number, Set<string>>();
  for (let pfn = 0; pfn < f.count; pfn++) {
    const n = mapped[pfn]!;
    if (n === 0 || (f.flags[pfn]! & PG.free) !== 0) continue;
    if (f.mapping[pfn] === 0) {
      report(`rmap cannot find pfn ${pfn}: ${n} PTE(s) map it but it has no anon_vma or inode (mapping 0)`, pfn);
      continue;
    }
    const hits = rmapHits(mem, pfn);
    const keys = new Set<string>();
    for (const h of hits) {
      const key = `${h.vma.mm.id}:${h.address}`;
      if (!live.has(h.vma.mm)) {
        report(`rmap walk of pfn ${pfn} finds it mapped at ${hex(h.address)} in mm ${h.vma.mm.id}, which no live process owns`, pfn);
        continue;
      }
      if (keys.has(key)) report(`rmap walk of pfn ${pfn} yields mm ${h.vma.mm.id} ${hex(h.address)} twice`, pfn);
      keys.add(key);
    }
    if (keys.size !== n) suspects.set(pfn, keys);
  }
  if (suspects.size === 0) return;
  for (const mm of mms) {
    for (const table of mm.pageTable.allTables()) {
      for (let i = 0; i < PTRS_PER_TABLE; i++) {
        const bits = table.bits[i]!;
        if ((bits & (PTE.present | PTE.special)) !== PTE.present) continue;
        const pfn = table.word[i]!;
        const keys = suspects.get(pfn);
        if (keys === undefined) continue;
        const address = (table.base + i) * PAGE_SIZE;
        const key = `${mm.id}:${address}`;
        if (keys.has(key)) keys.delete(key);
        else {
          const vma = mm.vmas.lookup(address);
          report(`rmap walk misses a mapping: pfn ${pfn} (${(f.flags[pfn]! & PG.anon) !== 0 ? 'anon' : 'file'}, index ${f.index[pfn]}, mapping ${f.mapping[pfn]}) is mapped at ${hex(address)} in mm ${mm.id}${vma === undefined ? '' : ` (vma ${vma.toString()})`} but rmap does not find it there`, pfn);
        }
      }
    }
  }
  for (const [pfn, keys] of suspects) {
    for (const key of keys) {
      const [mmId, address] = key.split(':');
      report(`rmap walk of pfn ${pfn} finds it mapped at ${hex(Number(address))} in mm ${mmId}, but no walked page table maps it there`, pfn);
    }
  }
}

/**
 * No reverse map holds a vma that is gone: every vma in a file's `i_mmap`, and in the
 * tree of every anon_vma reachable from a live vma's chains or from an in-use
 * anonymous frame, belongs to a live mm (not torn down, owned by a live process) and
 * is in that mm's vma tree. Each tree is walked once: O(tree sizes).
 *
 * Kernel counterpart: what `unlink_file_vma()` and `unlink_anon_vmas()` guarantee before
 * `remove_vma()` frees a vma; a vma left linked is the use-after-free an rmap walk
 * then makes (what KASAN reports).
 */
export function checkRmapTrees(mem: MemoryState, mms: readonly Mm[], report: ReportFinding): void {
  const live = new Set(mms);
  const check = (vma: Vma, where: string): void => {
    const mm = vma.mm;
    const what = `${where} holds vma ${vma.toString()} of mm ${mm.id}`;
    if (mm.dead || !live.has(mm)) report(`${what}, ${mm.dead ? 'which was torn down (mm dead)' : 'which no live process owns'}: a reverse-map walk would reach a dead address space`);
    else if (mm.vmas.lookup(vma.start) !== vma) report(`${what}, but that vma is not in mm ${mm.id}'s vma tree (detached and left linked)`);
  };
  for (const inode of mem.inodes()) {
    const where = `i_mmap of ${inode.name} (inode ${inode.id})`;
    for (const vma of inode.iMmap.values()) check(vma, where);
  }
  const anonVmas = new Set<AnonVma>();
  for (const mm of mms) for (const vma of mm.vmas.all()) for (const chain of vma.chains) anonVmas.add(chain.anonVma);
  const f = mem.frames;
  for (let pfn = 0; pfn < f.count; pfn++) {
    if ((f.flags[pfn]! & (PG.anon | PG.free)) !== PG.anon) continue;
    const owner = mem.ownerOf(pfn);
    if (isAnonVma(owner)) anonVmas.add(owner);
  }
  for (const anonVma of anonVmas) {
    const where = `anon_vma ${anonVma.id}'s tree`;
    for (const vma of anonVma.tree.values()) check(vma, where);
  }
}
