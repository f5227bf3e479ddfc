import { SmmuError } from '../kernel/errors.js';

/**
 * Address arithmetic for an x86-64-like layout: 4 KiB pages, four levels of 512
 * entries, 47-bit user addresses. Addresses and page numbers are plain numbers
 * (safe integers up to 2^53): JavaScript's bitwise operators work on 32 bits, so
 * nothing here shifts or masks a full address — only division and remainder.
 */
export const PAGE_SIZE = 4096;
/** Entries per page-table page at every level (`PTRS_PER_PTE`). */
export const PTRS_PER_TABLE = 512;
/** `TASK_SIZE`: user addresses are below 2^47 (the last page is left unmapped, as on x86-64). */
export const TASK_SIZE = 2 ** 47 - PAGE_SIZE;
/** Page numbers below this are user pages. */
export const USER_PAGES = TASK_SIZE / PAGE_SIZE;

/** Virtual page number of an address (`addr >> PAGE_SHIFT`). */
export function pageNumber(address: number): number {
  return Math.floor(address / PAGE_SIZE);
}

/** Whether an address is page aligned (`PAGE_ALIGNED()`). */
export function pageAligned(address: number): boolean {
  return address % PAGE_SIZE === 0;
}

/** Round a length up to whole pages (`PAGE_ALIGN()`); may exceed the safe range for absurd inputs. */
export function pageAlignUp(length: number): number {
  return Math.ceil(length / PAGE_SIZE) * PAGE_SIZE;
}

/** Index of `vpn` in its PTE table (level 1). */
export function pteIndex(vpn: number): number {
  return vpn % PTRS_PER_TABLE;
}

/** Index of the PTE table covering `vpn` in a flat numbering of PTE tables (`vpn / 512`). */
export function pteTableNumber(vpn: number): number {
  return Math.floor(vpn / PTRS_PER_TABLE);
}

/** Pages mapped by one entry at each level: 1, 512, 512^2, 512^3. */
const LEVEL_SPAN = [0, 1, PTRS_PER_TABLE, PTRS_PER_TABLE ** 2, PTRS_PER_TABLE ** 3] as const;

/** Index at level `level` (1 = PTE, 2 = PMD, 3 = PUD, 4 = PGD) for page number `vpn`. */
export function levelIndex(vpn: number, level: 1 | 2 | 3 | 4): number {
  return Math.floor(vpn / LEVEL_SPAN[level]) % PTRS_PER_TABLE;
}

/** A user address as `0x…` for messages. */
export function hex(address: number): string {
  return `0x${address.toString(16)}`;
}

/**
 * Validate a user range the way the syscalls do, before anything changes: `start`
 * page aligned (EINVAL), `length` a non-negative safe integer whose page-rounded end
 * does not overflow or leave user space (EINVAL for an overflowing length, ENOMEM
 * for a range outside the address space, as mmap/mprotect report it).
 *
 * @returns the page-rounded end address (exclusive).
 */
export function checkUserRange(what: string, start: number, length: number, outside: 'EINVAL' | 'ENOMEM' = 'ENOMEM'): number {
  if (!Number.isSafeInteger(start) || start < 0) throw new SmmuError('EINVAL', `${what}: address ${String(start)} is not a valid user address`);
  if (!pageAligned(start)) throw new SmmuError('EINVAL', `${what}: address ${hex(start)} is not page aligned`);
  if (!Number.isSafeInteger(length) || length < 0) throw new SmmuError('EINVAL', `${what}: length ${String(length)} is not a valid length`);
  const end = start + pageAlignUp(length);
  if (!Number.isSafeInteger(end) || end < start) throw new SmmuError('EINVAL', `${what}: length ${length} overflows from ${hex(start)}`);
  if (end > TASK_SIZE) throw new SmmuError(outside, `${what}: range ${hex(start)}-${hex(end)} is outside the user address space (ends at ${hex(TASK_SIZE)})`);
  return end;
}
