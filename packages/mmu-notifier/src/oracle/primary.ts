import { PAGE_SIZE, PTE, PTRS_PER_TABLE, type Mm } from '@secondary-mmu/core-mm';

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
  if (mm.dead) return -1;
  const vpn = Math.floor(address / PAGE_SIZE);
  const table = mm.pageTable.lookup(vpn);
  return table === undefined ? -1 : table.word[vpn % PTRS_PER_TABLE]!;
}

/** @internal The frame the primary maps at `address` (present entry, PROT_NONE included), or -1. */
export function primaryPfn(mm: Mm, address: number): number {
  return (primaryBits(mm, address) & PTE.present) !== 0 ? primaryWord(mm, address) : -1;
}
