import { digest } from '../../kernel/util/hash.js';
import { PTRS_PER_TABLE } from '../layout.js';
import type { MemoryState } from '../memory-state.js';
import type { Mm } from '../mm-types.js';
import { swapIfAny } from '../swap.js';

/**
 * A deterministic digest of the machine's memory state, for "a rejected call leaves
 * the machine unchanged": processes and their mms (rss, users), every vma (range,
 * flags, file, pgoff, anon_vma), every non-none PTE (address, word, bits), every
 * frame's flags, refcount, mapcount, pincount, mapping, index, generation and content
 * word, the free count, every swap slot in use (count and content), and each file's
 * size, page cache and backing store. Identical
 * histories give identical digests; any write (content, or a PTE's young/dirty bit)
 * changes it. Not for hot paths: it builds a text of the whole state.
 *
 * No kernel counterpart: a test's before/after comparison of the whole model.
 */
export function stateDigest(machine: { readonly mem: MemoryState }): string {
  const mem = machine.mem;
  const out: string[] = [`era ${mem.era}`, `free ${mem.allocator.freeCount}`];
  const mms: Mm[] = [];
  for (const p of mem.processes) {
    out.push(`process ${p.pid} ${p.name} mm ${idOrNone(p.mm)}`);
    if (p.mm !== null && !mms.includes(p.mm)) mms.push(p.mm);
  }
  for (const mm of mms) {
    out.push(`mm ${mm.id} rss ${mm.rss} users ${mm.users} dead ${mm.dead ? 1 : 0}`);
    for (const vma of mm.vmas.all()) {
      out.push(`vma ${vma.start} ${vma.end} ${vma.flags} ${idOrNone(vma.file)} ${vma.pgoff} ${idOrNone(vma.anonVma)}`);
    }
    for (const table of mm.pageTable.allTables()) {
      for (let i = 0; i < PTRS_PER_TABLE; i++) {
        const bits = table.bits[i]!;
        if (bits !== 0) out.push(`pte ${table.base + i} ${table.word[i]} ${bits}`);
      }
    }
  }
  const f = mem.frames;
  for (let pfn = 0; pfn < f.count; pfn++) {
    out.push(`${f.flags[pfn]} ${f.refcount[pfn]} ${f.mapcount[pfn]} ${f.pincount[pfn]} ${f.mapping[pfn]} ${f.index[pfn]} ${f.generation[pfn]} ${f.content[pfn]}`);
  }
  const swap = swapIfAny(mem);
  if (swap !== undefined) {
    for (let slot = 0; slot < swap.slots; slot++) if (swap.count[slot] !== 0) out.push(`swap ${slot} ${swap.count[slot]} ${swap.content[slot]}`);
  }
  for (const inode of mem.inodes()) {
    const cache = [...inode.pageCache].sort((a, b) => a[0] - b[0]);
    const backing = [...inode.backing].sort((a, b) => a[0] - b[0]);
    out.push(`inode ${inode.id} ${inode.name} ${inode.size} cache ${cache.join(' ')} backing ${backing.join(' ')}`);
  }
  return digest(out.join('\n'));
}

// Stryker disable next-line StringLiteral: any text that is not a number tells "none" from an id, the empty one too (the fields around it are fixed)
const NONE = '-';

/** An object's id in a digest line, or `-` for null (no mm, file or anon_vma). */
function idOrNone(x: { readonly id: number } | null): string | number {
  return x === null ? NONE : x.id;
}
