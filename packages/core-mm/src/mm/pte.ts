/**
 * Page-table entry bits, x86-64-like (`_PAGE_PRESENT`, `_PAGE_RW`, `_PAGE_USER`,
 * `_PAGE_ACCESSED`, `_PAGE_DIRTY`, `_PAGE_SOFT_DIRTY`, `_PAGE_SPECIAL`). An entry is
 * two typed-array cells: a 32-bit word (the pfn when present, the swap offset or
 * migrating pfn when not) and these bits. A non-present entry with `swap` or
 * `migration` set is a swap or migration entry (`is_swap_pte`, `is_migration_entry`);
 * with no bits at all it is `pte_none`.
 */
export const PTE = {
  present: 1 << 0,
  write: 1 << 1,
  user: 1 << 2,
  young: 1 << 3,
  dirty: 1 << 4,
  softDirty: 1 << 5,
  /** Maps a frame without a reference (the shared zero page): `pte_special`. */
  special: 1 << 6,
  /** Not present: a swap entry; the word is the swap slot. */
  swap: 1 << 7,
  /** Not present: a migration entry; the word is the pfn being migrated. */
  migration: 1 << 8,
  /** With `migration`: the mapping was writable (`is_writable_migration_entry`). */
  migrationWrite: 1 << 9,
} as const;

/** Permission as the observation face reports it. */
export type PtePermission = 'none' | 'read' | 'write';

/** `pte_none()`. */
export function pteNone(bits: number): boolean {
  return bits === 0;
}

/** `pte_present()`. */
export function ptePresent(bits: number): boolean {
  return (bits & PTE.present) !== 0;
}

/** `pte_write()` of a present entry. */
export function pteWrite(bits: number): boolean {
  return (bits & (PTE.present | PTE.write)) === (PTE.present | PTE.write);
}

/** The permission an entry grants a user access (a present entry without `user` is PROT_NONE). */
export function ptePermission(bits: number): PtePermission {
  if ((bits & (PTE.present | PTE.user)) !== (PTE.present | PTE.user)) return 'none';
  return (bits & PTE.write) !== 0 ? 'write' : 'read';
}

/** The entry's bits, for messages: `present|write|young`. */
export function describePte(bits: number): string {
  if (bits === 0) return 'none';
  return Object.entries(PTE)
    .filter(([, bit]) => (bits & bit) !== 0)
    .map(([name]) => name)
    .join('|');
}

/**
 * A swap entry for slot `slot` (`swp_entry_to_pte`): not present, the slot in the word.
 * Reclaim writes these when it swaps an anonymous page out.
 */
export function swapPte(slot: number): { word: number; bits: number } {
  return { word: slot, bits: PTE.swap };
}

/** A migration entry for frame `pfn` (`make_{readable,writable}_migration_entry`): faults on it wait for the move. */
export function migrationPte(pfn: number, writable: boolean): { word: number; bits: number } {
  return { word: pfn, bits: PTE.migration | (writable ? PTE.migrationWrite : 0) };
}

/** `is_swap_pte()` for a real swap entry (not a migration entry). */
export function isSwapPte(bits: number): boolean {
  return (bits & (PTE.present | PTE.swap)) === PTE.swap;
}

/** `is_migration_entry()`. */
export function isMigrationPte(bits: number): boolean {
  return (bits & (PTE.present | PTE.migration)) === PTE.migration;
}
