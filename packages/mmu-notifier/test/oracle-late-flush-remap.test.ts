/**
 * The late-secondary-flush rule at a PTE change to another frame, with entries that
 * outlive their mapping (a TLB sharing the CPU page table that defers its flush):
 * the zero page (pfn 0) is a frame like any other; the entry's own frame mapped there
 * again is no change; an entry already reported when its frame was freed is not
 * reported again.
 */
import { MAP, MREMAP, type Machine, type Task } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { ANON, P, RW, setup, v } from './support/helpers.js';
import { register, SharedTlbDriver } from './support/oracle-drivers.js';
import { anonPages, frameAt, kinds, messages } from './support/oracle-helpers.js';

/** A deferring TLB's entry of page `a`, whose page mremap then moves away to a fresh address (the frame stays alive there). */
async function entryOfMovedPage(): Promise<{ m: Machine; t: Task; drv: SharedTlbDriver; a: number; b: number; pfn: number }> {
  const { m, t } = setup('v6');
  const drv = new SharedTlbDriver(m, t.mm!, 'defers-flush');
  await register(t, drv);
  const a = await anonPages(m, t);
  const pfn = frameAt(t, a);
  expect(await drv.read(t, a)).toBe(100);
  const b = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
  expect(await v(m.mem.mremap(t, a, P, P, MREMAP.fixed | MREMAP.maymove, b))).toBe(b);
  expect(frameAt(t, b)).toBe(pfn);
  return { m, t, drv, a, b, pfn };
}

describe('late-secondary-flush at a PTE change', () => {
  it('reports an entry whose address now maps the zero page', async () => {
    const { m, t, drv, a, pfn } = await entryOfMovedPage();
    expect(kinds(m)).toEqual([]);
    expect(await v(m.mem.mmap(t, { addr: a, length: P, prot: RW, flags: ANON | MAP.fixed }))).toBe(a);
    expect(await v(m.mem.read(t, a))).toBe(0);
    expect(frameAt(t, a)).toBe(m.mem.allocator.zeroPfn);
    expect(messages(m, 'late-secondary-flush')).toEqual([
      `sva: the PTE at 0x${a.toString(16)} (mm ${t.mm!.id}) moved to pfn ${m.mem.allocator.zeroPfn} (fault) while the device TLB still held pfn ${pfn}: the flush must come under the PT lock, before the new page is mapped`,
    ]);
    drv.device.dropAll();
  });

  it("stays quiet when the entry's own frame is mapped at its address again", async () => {
    const { m, t, drv, a, b, pfn } = await entryOfMovedPage();
    expect(await v(m.mem.mremap(t, b, P, P, MREMAP.fixed | MREMAP.maymove, a))).toBe(a);
    expect(frameAt(t, a)).toBe(pfn);
    expect(kinds(m)).toEqual([]);
    drv.device.dropAll();
  });

  it('reports an entry freed under it once, not again when its address maps the zero page', async () => {
    const { m, t } = setup('v6');
    const drv = new SharedTlbDriver(m, t.mm!, 'defers-flush');
    await register(t, drv);
    const a = await anonPages(m, t);
    expect(await drv.read(t, a)).toBe(100);
    await v(m.mem.munmap(t, a, P));
    expect(kinds(m)).toEqual(['late-secondary-flush']);
    expect(await v(m.mem.mmap(t, { addr: a, length: P, prot: RW, flags: ANON | MAP.fixed }))).toBe(a);
    expect(await v(m.mem.read(t, a))).toBe(0); // the zero page: another frame than the one freed
    expect(kinds(m)).toEqual(['late-secondary-flush']);
    drv.device.dropAll();
  });
});
