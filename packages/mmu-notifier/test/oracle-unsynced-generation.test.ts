/**
 * The unsynced-write rule keeps the last write per frame *generation*: a write through a
 * translation of an earlier life of the frame (a use-after-free, reported as such) does
 * not stand in for the current page's unsynced write, which is still lost when reclaim
 * drops the page clean.
 */
import { MAP } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { DeviceMmu } from '../src/index.js';
import { P, RW, setup, v } from './support/helpers.js';
import { anonPages, frameAt, kinds, messages, reclaim } from './support/oracle-helpers.js';

describe('unsynced device writes: one frame, two generations', () => {
  it("a stale translation's write to the reused frame leaves the current page's write unsynced", async () => {
    const { m, t } = setup('v6');
    const old = new DeviceMmu(m, { name: 'stale', driverClass: 'no-references' });
    const a = await anonPages(m, t);
    const pfn = frameAt(t, a);
    const h0 = old.establish(t, t.mm!, a, pfn, { writable: true });
    await v(m.mem.munmap(t, a, P)); // frees the frame; the stale translation stays
    const file = m.mem.createFile('f', P);
    const b = await v(m.mem.mmap(t, { length: P, prot: RW, flags: MAP.shared, file }));
    await v(m.mem.write(t, b, 1));
    expect(frameAt(t, b)).toBe(pfn); // the frame's next life: a page-cache page
    const dma = new DeviceMmu(m, { name: 'dma', driverClass: 'holds-references' });
    await v(t.mm!.mmapLock.downRead(t));
    const [got] = await v(dma.getUserPages(t, t.mm!, b, 1, { write: true, pin: true }));
    await v(t.mm!.mmapLock.upRead(t));
    expect(got).toBe(pfn);
    await v(m.mem.fsync(t, file));
    const h1 = dma.establish(t, t.mm!, b, pfn, { writable: true });
    await v(dma.write(t, h1, 8));
    await v(old.write(t, h0, 9)); // through the earlier life of the frame
    expect(kinds(m)).toEqual(['write-through-read-only', 'use-after-free']); // (the handle kept writable across the writeback is its own finding)
    dma.drop(h1); // no set_page_dirty
    await v(dma.unpinUserPage(t, pfn));
    await v(m.mem.munmap(t, b, P));
    expect((await reclaim(m, pfn)).at(-1)).toBe('freed');
    expect(messages(m, 'lost-write')).toEqual([expect.stringMatching(/^dma: write of 0x8 to pfn \d+ at \d+ ns never reached storage/)]);
    old.drop(h0);
  });
});
