/**
 * verify's swap checks (`swap_map[]` against the swap entries), each corruption alone
 * and reported exactly, then undone: an entry with no device, at the device's end, on
 * a free slot, in a vma without an anon_vma; a slot counting one use too many or too
 * few (singular and plural wording), the swap cache's use, and a free list that does
 * not hold exactly the free slots.
 */
import { describe, expect, it } from 'vitest';
import { MAP, PTE, shrinkPage, swapOf, configureSwap, verify, type Machine, type Task } from '../src/index.js';
import { ANON, P, pteOf, RW, setup, v } from './support/mm-helpers.js';

const hex = (n: number): string => `0x${n.toString(16)}`;
const SLOTS = 8;

function messages(m: Machine): string[] {
  return verify(m, { record: false }).map((x) => x.message);
}

/** The PTE table entry at `a`. */
function entry(t: Task, a: number): { word: Uint32Array; bits: Uint16Array | Uint8Array | Uint32Array; i: number } {
  const vpn = Math.floor(a / P);
  const table = t.mm!.pageTable.lookup(vpn)!;
  return { word: table.word, bits: table.bits, i: vpn % 512 };
}

/** A page written at `a`, then swapped out: its PTE is a swap entry naming `slot`. */
async function swappedOut(): Promise<{ m: Machine; t: Task; a: number; slot: number }> {
  const { m, t } = setup('v6', 64);
  configureSwap(m.mem, SLOTS);
  const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
  await v(m.mem.write(t, a, 7));
  const pfn = pteOf(t, a).pfn;
  for (let i = 0; i < 3 && pteOf(t, a).bits !== PTE.swap; i++) await v(shrinkPage(m.mem, m.task('kswapd'), pfn));
  expect(pteOf(t, a).bits).toBe(PTE.swap);
  const slot = pteOf(t, a).pfn;
  expect(swapOf(m.mem).count[slot]).toBe(1);
  expect(messages(m)).toEqual([]);
  return { m, t, a, slot };
}

const leaked = (slot: number, count: number, n: number): string =>
  `swap slot ${slot} has count ${count} but ${n} swap entr${n === 1 ? 'y names' : 'ies name'} it (a leaked use: the slot is never freed)`;

describe('verify: swap entries', () => {
  it('a swap entry on a machine that has no swap device', async () => {
    const { m, t } = setup('v6', 64);
    const a = await v(m.mem.mmap(t, { addr: 2 ** 33, length: 2 * P, prot: RW, flags: ANON | MAP.fixedNoReplace }));
    await v(m.mem.write(t, a, 1));
    expect(await v(m.mem.read(t, a + P))).toBe(0); // a zero-page entry: no frame counts it
    const { word, bits, i } = entry(t, a + P);
    const saved = [word[i]!, bits[i]!] as const;
    [word[i], bits[i]] = [3, PTE.swap];
    expect(messages(m)).toEqual([`mm ${t.mm!.id}: swap entry at ${hex(a + P)} names swap slot 3, but the machine has no swap device`]);
    [word[i], bits[i]] = saved;
    expect(messages(m)).toEqual([]);
  });

  it('a swap entry at the first slot past the device, and one naming a free slot', async () => {
    const { m, t, a, slot } = await swappedOut();
    const { word, i } = entry(t, a);
    const where = `mm ${t.mm!.id}: swap entry at ${hex(a)}`;
    word[i] = SLOTS;
    expect(messages(m)).toEqual([`${where} names swap slot ${SLOTS}, beyond the device's ${SLOTS} slots`, leaked(slot, 1, 0)]);
    const free = (slot + 1) % SLOTS;
    expect(swapOf(m.mem).count[free]).toBe(0);
    word[i] = free;
    expect(messages(m)).toEqual([
      `swap entry names a free slot: ${where} names slot ${free}, whose count is 0 (the slot may be reused, and swap-in would read another page's content)`,
      leaked(slot, 1, 0),
    ]);
    word[i] = slot;
    expect(messages(m)).toEqual([]);
  });

  it('a swap entry in a vma without an anon_vma', async () => {
    const { m, t, a, slot } = await swappedOut();
    const vma = t.mm!.vmas.lookup(a)!;
    const anonVma = vma.anonVma;
    vma.anonVma = null;
    expect(messages(m)).toEqual([`mm ${t.mm!.id}: swap entry at ${hex(a)} (slot ${slot}) lies in the vma ${vma.toString()}, which has no anon_vma: swap-in could not map an anonymous page there`]);
    vma.anonVma = anonVma;
    expect(messages(m)).toEqual([]);
  });
});

describe("verify: swap slots' counts", () => {
  it('one use too many (one entry), and one too few (two entries)', async () => {
    const { m, t, a, slot } = await swappedOut();
    const count = swapOf(m.mem).count;
    count[slot] = 2;
    expect(messages(m)).toEqual([leaked(slot, 2, 1)]);
    count[slot] = 1;
    await v(m.mem.fork(t, 'child')); // the child's entry names the slot too
    expect(count[slot]).toBe(2);
    expect(messages(m)).toEqual([]);
    count[slot] = 1;
    expect(messages(m)).toEqual([`swap slot ${slot} has count 1 but 2 swap entries name it (a missing use: the slot would be freed while entries still name it)`]);
    count[slot] = 2;
    expect(pteOf(t, a).pfn).toBe(slot);
    expect(messages(m)).toEqual([]);
  });

  it('the swap cache holds a use of its slot', async () => {
    const { m, t, a, slot } = await swappedOut();
    const swap = swapOf(m.mem);
    const child = (await v(m.mem.fork(t, 'child'))).task('c0');
    expect(await v(m.mem.read(t, a))).toBe(7); // swapped in for the parent; the child's entry keeps the page cached
    const pfn = pteOf(t, a).pfn;
    expect(swap.cache.get(slot)).toBe(pfn);
    expect([swap.count[slot], pteOf(child, a).pfn]).toEqual([2, slot]);
    expect(messages(m)).toEqual([]);
    swap.cache.delete(slot);
    expect(messages(m)).toEqual([leaked(slot, 2, 1)]);
    swap.cache.set(slot, pfn);
    expect(messages(m)).toEqual([]);
  });

  it("a free list that holds a slot in use", async () => {
    const { m, slot } = await swappedOut();
    const swap = swapOf(m.mem);
    const list = (swap as unknown as { freeList: Int32Array }).freeList;
    const last = swap.freeCount - 1;
    const saved = list[last]!;
    list[last] = slot;
    expect(messages(m)).toEqual([`swap device: its free list does not hold exactly the ${SLOTS - 1} slot(s) with count 0`]);
    list[last] = saved;
    expect(messages(m)).toEqual([]);
  });
});
