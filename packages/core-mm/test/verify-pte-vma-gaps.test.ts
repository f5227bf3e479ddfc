/**
 * verify's PTE pass places each entry in the vma covering it, walking the vmas in
 * address order: an entry below the first vma, or in the gap between two vmas, is
 * outside every vma (not in the next one), while the entries of both vmas are quiet.
 */
import { describe, expect, it } from 'vitest';
import { describePte, MAP, PTE, verify, type Task } from '../src/index.js';
import { ANON, P, RW, setup, v } from './support/mm-helpers.js';

const hex = (n: number): string => `0x${n.toString(16)}`;
const BASE = 2 ** 33; // the first page of a PTE table: every page below lies in it

/** Plant a swap entry at `a` (its table exists), used count kept right; returns the undo. */
function plantSwap(t: Task, a: number, slot: number): () => void {
  const vpn = Math.floor(a / P);
  const table = t.mm!.pageTable.lookup(vpn)!;
  const i = vpn % 512;
  expect(table.bits[i]).toBe(0);
  [table.word[i], table.bits[i]] = [slot, PTE.swap];
  table.used++;
  return () => {
    [table.word[i], table.bits[i]] = [0, 0];
    table.used--;
  };
}

describe('verify: entries before and between vmas', () => {
  it('below the first vma and in the gap between two are outside every vma', async () => {
    const { m, t } = setup('v6', 64);
    for (const at of [BASE + 4 * P, BASE + 8 * P]) {
      await v(m.mem.mmap(t, { addr: at, length: 2 * P, prot: RW, flags: ANON | MAP.fixedNoReplace }));
      await v(m.mem.write(t, at, 1));
    }
    const messages = (): string[] => verify(m, { record: false }).map((x) => x.message);
    expect(messages()).toEqual([]);
    for (const a of [BASE + P, BASE + 6 * P, BASE + 7 * P]) {
      const undo = plantSwap(t, a, 3);
      expect(messages()).toEqual([
        `PTE outside its VMA: mm ${t.mm!.id} has an entry at ${hex(a)} (word 3, ${describePte(PTE.swap)}) but no vma covers that address`,
        `mm ${t.mm!.id}: swap entry at ${hex(a)} names swap slot 3, but the machine has no swap device`,
      ]);
      undo();
    }
    expect(messages()).toEqual([]);
  });
});
