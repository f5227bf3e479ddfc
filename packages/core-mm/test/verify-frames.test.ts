/**
 * verify's per-frame checks (`bad_page()`), each corruption alone on a frame nothing
 * maps (a driver's page, or a free one) so only the frame check can see it, reported
 * exactly and then undone: each count of a free frame, each of the three LRU marks, a
 * frame flagged free behind the allocator's back, and a mapping naming nothing, the
 * wrong kind of owner, or a file page its cache does not hold.
 */
import { describe, expect, it } from 'vitest';
import { PG, verify, type Machine } from '../src/index.js';
import { allocDriverPage } from '../src/mm/gup.js';
import { ANON, P, RW, setup, v } from './support/mm-helpers.js';

function messages(m: Machine): string[] {
  return verify(m, { record: false }).map((x) => x.message);
}

/** A machine with a driver page (in use, refcount 1, no mapping) and the first free frame. */
async function frames(): Promise<{ m: Machine; page: number; free: number }> {
  const { m, t } = setup('v6', 64);
  const page = await v(allocDriverPage(m.mem, t, 'kernel'));
  let free = 1;
  while ((m.mem.frames.flags[free]! & PG.free) === 0) free++;
  expect(messages(m)).toEqual([]);
  return { m, page, free };
}

describe('verify: free frames', () => {
  it('a free frame with a refcount, a mapcount or a pin, each alone', async () => {
    const { m, free } = await frames();
    const f = m.mem.frames;
    for (const [count, all] of [
      [f.refcount, 'refcount 1, mapcount 0, pincount 0'],
      [f.mapcount, 'refcount 0, mapcount 1, pincount 0'],
      [f.pincount, 'refcount 0, mapcount 0, pincount 1'],
    ] as const) {
      count[free] = 1;
      expect(messages(m)).toEqual([`free pfn ${free} has ${all} (all must be 0)`]);
      count[free] = 0;
    }
    expect(messages(m)).toEqual([]);
  });

  it('a free frame still on the LRU by its prev link, its next link or PG_lru, each alone', async () => {
    const { m, free } = await frames();
    const f = m.mem.frames;
    f.lruPrev[free] = 5;
    expect(messages(m)).toEqual([`free pfn ${free} is still on the LRU (prev 5, next -1, PG_lru 0)`]);
    f.lruPrev[free] = -1;
    f.lruNext[free] = 6;
    expect(messages(m)).toEqual([`free pfn ${free} is still on the LRU (prev -1, next 6, PG_lru 0)`]);
    f.lruNext[free] = -1;
    f.flags[free] = f.flags[free]! | PG.lru;
    expect(messages(m)).toEqual([`free pfn ${free} is still on the LRU (prev -1, next -1, PG_lru 1)`]);
    f.flags[free] = f.flags[free] & ~PG.lru;
    expect(messages(m)).toEqual([]);
  });

  it("a frame flagged free that the allocator's free list does not hold", async () => {
    const { m, page } = await frames();
    const f = m.mem.frames;
    const [flags, free] = [f.flags[page]!, m.mem.allocator.freeCount];
    f.flags[page] = PG.free;
    f.refcount[page] = 0;
    const found = verify(m, { record: false });
    expect(found.map((x) => x.message)).toEqual([`${free + 1} frames are flagged free but the allocator's free list holds ${free}`]);
    expect(found[0]!.details).toBeUndefined();
    f.flags[page] = flags;
    f.refcount[page] = 1;
    expect(messages(m)).toEqual([]);
  });
});

describe("verify: a frame's mapping", () => {
  it('names no owner', async () => {
    const { m, page } = await frames();
    m.mem.frames.mapping[page] = 999;
    expect(messages(m)).toEqual([`pfn ${page} names mapping 999, which does not exist`]);
    m.mem.frames.mapping[page] = 0;
    expect(messages(m)).toEqual([]);
  });

  it('an anonymous frame naming an inode, a file frame naming an anon_vma', async () => {
    const { m, t } = setup('v6', 64);
    const file = m.mem.createFile('f', P);
    const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
    await v(m.mem.write(t, a, 1));
    const anonVma = t.mm!.vmas.lookup(a)!.anonVma!;
    const page = await v(allocDriverPage(m.mem, t, 'kernel'));
    const f = m.mem.frames;
    const flags = f.flags[page]!;
    f.flags[page] = flags | PG.anon;
    f.mapping[page] = file.id;
    expect(messages(m)).toEqual([`anonymous pfn ${page} names f (inode ${file.id}) as its mapping, not an anon_vma`]);
    f.mapping[page] = anonVma.id;
    expect(messages(m)).toEqual([]); // an anonymous page of that anon_vma that nothing maps (yet)
    f.flags[page] = flags;
    expect(messages(m)).toEqual([`pfn ${page} names anon_vma ${anonVma.id} as its mapping but is not PageAnon`]);
    f.mapping[page] = 0;
    expect(messages(m)).toEqual([]);
  });

  it('a file frame whose page-cache slot holds nothing', async () => {
    const { m, page } = await frames();
    const file = m.mem.createFile('f', 8 * P);
    const f = m.mem.frames;
    f.mapping[page] = file.id;
    f.index[page] = 5;
    expect(messages(m)).toEqual([`pfn ${page} says it is page 5 of f (inode ${file.id}), but that page-cache slot holds nothing`]);
    file.pageCache.set(5, page); // now it is that page, its reference the cache's
    expect(messages(m)).toEqual([]);
    file.pageCache.delete(5);
    f.mapping[page] = 0;
    f.index[page] = 0;
    expect(messages(m)).toEqual([]);
  });

  it('a finding about pfn 0 (the zero page) carries its history too', async () => {
    const { m } = await frames();
    const f = m.mem.frames;
    const zero = m.mem.allocator.zeroPfn;
    expect(zero).toBe(0);
    const ref = f.refcount[zero]!;
    f.refcount[zero] = 0;
    const found = verify(m, { record: false });
    expect(found.map((x) => x.message)).toEqual([`pfn 0 has refcount 0, below mapcount 0 + pincount 0 + page cache 0 = 0 (and it is not free)`]);
    expect(found[0]!.details?.[0]).toMatch(/^pfn 0: /);
    f.refcount[zero] = ref;
    expect(messages(m)).toEqual([]);
  });
});
