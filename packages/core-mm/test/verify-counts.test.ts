/**
 * verify's count and swap-entry checks, each on a corruption that only that check can
 * see: a swap entry in a vma without an anon_vma, or beyond the device; a frame in use
 * with refcount 0 and nothing else holding it; a refcount that covers the mappings but
 * not the pins; negative counts. The broad corruption tests in verify.test.ts reach
 * these lines with other checks firing too, so a silenced term would pass there.
 */
import { describe, expect, it } from 'vitest';
import { ERAS, verify, type Machine, type Task } from '../src/index.js';
import { allocDriverPage, getUserPages } from '../src/mm/gup.js';
import { configureSwap, shrinkPage, swapOf } from '../src/index.js';
import { ANON, P, pteOf, RW, setup, underMmapRead, v } from './support/mm-helpers.js';

function messages(m: Machine): string[] {
  return verify(m, { record: false }).map((x) => x.message);
}

/** A page written at `a`, then swapped out: its PTE is a swap entry naming the slot returned. */
async function swappedOut(m: Machine, t: Task): Promise<{ a: number; slot: number }> {
  configureSwap(m.mem, 8);
  const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
  await v(m.mem.write(t, a, 7));
  const k = m.task('kswapd');
  const pfn = pteOf(t, a).pfn;
  for (let i = 0; i < 3 && pteOf(t, a).pfn === pfn; i++) await v(shrinkPage(m.mem, k, pfn));
  const slot = pteOf(t, a).pfn;
  expect(messages(m)).toEqual([]);
  return { a, slot };
}

/** The PTE table entry at `a`: its words and index. */
function entry(t: Task, a: number): { word: Uint32Array; i: number } {
  const vpn = Math.floor(a / P);
  return { word: t.mm!.pageTable.lookup(vpn)!.word, i: vpn % 512 };
}

for (const era of ERAS) {
  describe(`verify: swap entries (${era})`, () => {
    it('a swap entry in a vma that has no anon_vma', async () => {
      const { m, t } = setup(era, 64);
      const { a, slot } = await swappedOut(m, t);
      const vma = t.mm!.vmas.lookup(a)!;
      const anonVma = vma.anonVma;
      vma.anonVma = null;
      expect(messages(m)).toContain(`mm ${t.mm!.id}: swap entry at 0x${a.toString(16)} (slot ${slot}) lies in the vma ${vma.toString()}, which has no anon_vma: swap-in could not map an anonymous page there`);
      vma.anonVma = anonVma;
      expect(messages(m)).toEqual([]);
    });

    it('a swap entry beyond the device', async () => {
      const { m, t } = setup(era, 64);
      const { a } = await swappedOut(m, t);
      const { word, i } = entry(t, a);
      const slot = word[i]!;
      word[i] = swapOf(m.mem).slots + 3;
      const found = messages(m);
      expect(found).toContain(`mm ${t.mm!.id}: swap entry at 0x${a.toString(16)} names swap slot ${swapOf(m.mem).slots + 3}, beyond the device's ${swapOf(m.mem).slots} slots`);
      word[i] = slot;
      expect(messages(m)).toEqual([]);
    });
  });

  describe(`verify: frame counts (${era})`, () => {
    it('a frame in use that nothing maps, with refcount 0', async () => {
      const { m, t } = setup(era, 64);
      const pfn = await v(allocDriverPage(m.mem, t, 'kernel'));
      expect(messages(m)).toEqual([]);
      m.mem.frames.refcount[pfn] = 0;
      expect(messages(m)).toEqual([`pfn ${pfn} has refcount 0, below mapcount 0 + pincount 0 + page cache 0 = 0 (and it is not free)`]);
      m.mem.frames.refcount[pfn] = 1;
    });

    it('a refcount that covers the mapping but not the pin', async () => {
      const { m, t } = setup(era, 64);
      const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
      await v(m.mem.write(t, a, 1));
      const [pfn] = await underMmapRead(t, () => getUserPages(m.mem, t, t.mm!, a, 1, { pin: true }));
      const f = m.mem.frames;
      const ref = f.refcount[pfn!]!;
      expect(f.pincount[pfn!]).toBe(1);
      expect(messages(m)).toEqual([]);
      f.refcount[pfn!] = 1; // the mapping's reference only
      expect(messages(m)).toEqual([`pfn ${pfn} has refcount 1, below mapcount 1 + pincount 1 + page cache 0 = 2`]);
      f.refcount[pfn!] = ref;
    });

    it('negative counts', async () => {
      const { m, t } = setup(era, 64);
      const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
      await v(m.mem.write(t, a, 1));
      const pfn = pteOf(t, a).pfn;
      const f = m.mem.frames;
      f.pincount[pfn] = -1;
      expect(messages(m)).toEqual([`pfn ${pfn} has a negative count: mapcount 1, pincount -1`]);
      f.pincount[pfn] = 0;
      f.mapcount[pfn] = -1;
      expect(messages(m)).toEqual([`pfn ${pfn} has mapcount -1 but 1 PTE(s) map it`, `pfn ${pfn} has a negative count: mapcount -1, pincount 0`]);
      f.mapcount[pfn] = 1;
      expect(messages(m)).toEqual([]);
    });
  });
}
