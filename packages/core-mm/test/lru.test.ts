import { describe, expect, it } from 'vitest';
import { ERAS, LRU, MAP, PG, PROT } from '../src/index.js';
import { ANON, P, pteOf, RW, setup, v } from './support/mm-helpers.js';

describe('LRU lists', () => {
  for (const era of ERAS) {
    it(`${era}: new anonymous pages join the ${era === 'v6' ? 'inactive' : 'active'} anon list, page-cache pages the inactive file list; freeing takes them off`, async () => {
      const { m, t } = setup(era);
      const lru = m.mem.lru;
      const a = await v(m.mem.mmap(t, { length: 3 * P, prot: RW, flags: ANON }));
      for (let i = 0; i < 3; i++) await v(m.mem.write(t, a + i * P, i));
      const anonList = era === 'v6' ? LRU.inactiveAnon : LRU.activeAnon;
      const pfns = [0, 1, 2].map((i) => pteOf(t, a + i * P).pfn);
      expect(lru.oldestFirst(anonList)).toEqual(pfns);
      for (const pfn of pfns) expect(m.mem.frames.flags[pfn]! & PG.lru).toBe(PG.lru);
      const file = m.mem.createFile('f', 2 * P);
      const f = await v(m.mem.mmap(t, { length: 2 * P, prot: PROT.read, flags: MAP.shared, file }));
      await v(m.mem.read(t, f));
      await v(m.mem.read(t, f + P));
      expect(lru.oldestFirst(LRU.inactiveFile)).toEqual([file.pageCache.get(0), file.pageCache.get(1)]);
      await v(m.mem.munmap(t, a + P, P));
      expect(lru.oldestFirst(anonList)).toEqual([pfns[0], pfns[2]]);
      expect(m.mem.frames.lruNext[pfns[1]!]).toBe(-1);
      expect(lru.count(anonList)).toBe(2);
      lru.move(pfns[0]!, era === 'v6');
      expect(lru.oldestFirst(era === 'v6' ? LRU.activeAnon : LRU.inactiveAnon)).toEqual([pfns[0]]);
      await v(m.mem.exit(t));
      expect(lru.count(LRU.activeAnon) + lru.count(LRU.inactiveAnon)).toBe(0);
      expect(lru.count(LRU.inactiveFile)).toBe(2); // still cached
    });
  }
});
