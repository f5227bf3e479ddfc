import { isMigrationPte, isSwapPte, PAGE_SIZE, PTE, PTRS_PER_TABLE, swapOf, type Memory, type Mm } from '@secondary-mmu/core-mm';

/*
 * @internal What the primary MMU has at an address right now, read straight from the
 * page table (no lock, no allocation): the oracle judges an access against it.
 */

/** Present and user-accessible (a present entry without `user` is PROT_NONE). */
export const USER_PRESENT = PTE.present | PTE.user;
/** Writable by the CPU. */
export const USER_WRITABLE = PTE.present | PTE.user | PTE.write;

/** @internal The PTE bits at `address` of `mm` (0: none, no table, or an exited mm). */
export function primaryBits(mm: Mm, address: number): number {
  if (mm.dead) return 0;
  const vpn = Math.floor(address / PAGE_SIZE);
  const table = mm.pageTable.lookup(vpn);
  return table === undefined ? 0 : table.bits[vpn % PTRS_PER_TABLE]!;
}

/** @internal The PTE word at `address` (pfn, swap slot or migrating pfn), -1 without a table. */
export function primaryWord(mm: Mm, address: number): number {
  if (mm.dead)
    // Stryker disable next-line UnaryOperator: every caller reads primaryBits first, which is 0 for an exited mm, and then never uses the word
    return -1;
  const vpn = Math.floor(address / PAGE_SIZE);
  const table = mm.pageTable.lookup(vpn);
  return table === undefined
    ? // Stryker disable next-line UnaryOperator: likewise, primaryBits is 0 without a table
      -1
    : table.word[vpn % PTRS_PER_TABLE]!;
}

/** @internal The frame the primary maps at `address` (present entry, PROT_NONE included), or -1. */
export function primaryPfn(mm: Mm, address: number): number {
  return (primaryBits(mm, address) & PTE.present) !== 0 ? primaryWord(mm, address) : -1;
}

/**
 * @internal The content word of the process's page at `address` when it lives elsewhere
 * than in frame `pfn`: in the frame a present entry maps (PROT_NONE included) or a
 * migration entry names, or — swapped out — in its swap-cache page or else its slot.
 * -1 when it lives in `pfn`, or there is none (no entry, an exited mm).
 */
export function contentElsewhere(mem: Memory, mm: Mm, address: number, pfn: number): number {
  const bits = primaryBits(mm, address);
  if (bits === 0) return -1;
  const word = primaryWord(mm, address);
  if ((bits & PTE.present) !== 0 || isMigrationPte(bits)) return word === pfn ? -1 : mem.frames.content[word]!;
  if (!isSwapPte(bits))
    // Stryker disable next-line UnaryOperator: unreachable, a PTE neither none nor present nor a migration entry is a swap entry
    return -1;
  const swap = swapOf(mem);
  const cached = swap.cache.get(word);
  if (cached === undefined) return swap.content[word]!;
  return cached === pfn ? -1 : mem.frames.content[cached]!;
}
