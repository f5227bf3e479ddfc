import { describe, expect, it } from 'vitest';
import { ERAS, LRU, Machine, MAP, PROT, Reclaim, shrinkPage } from '../src/index.js';
import { P, v } from './support/mm-helpers.js';
import { RecordingPort } from './support/recording-port.js';

describe('reclaim under memory pressure', () => {
  for (const era of ERAS) {
    it(`${era}: direct reclaim frees clean file pages so a file larger than memory can be read through a mapping`, async () => {
      const m = new Machine({ era, memory: { frames: 32 } });
      const reclaim = new Reclaim(m.mem, { low: 2, high: 6 });
      const t = m.mem.createProcess('reader').task('cpu0');
      const pages = 100;
      const file = m.mem.createFile('big', pages * P);
      for (let i = 0; i < pages; i++) file.backing.set(i, 1000 + i);
      const a = await v(m.mem.mmap(t, { length: pages * P, prot: PROT.read, flags: MAP.shared, file }));
      for (let round = 0; round < 2; round++) {
        for (let i = 0; i < pages; i++) expect(await v(m.mem.read(t, a + i * P))).toBe(1000 + i);
      }
      expect(file.pageCache.size).toBeLessThan(32);
      expect(reclaim.low).toBe(2);
      expect(m.report.violations).toEqual([]);
    });

    it(`${era}: kswapd wakes below the low watermark and reclaims up to high in the background`, async () => {
      const m = new Machine({ era, memory: { frames: 40 } });
      const reclaim = new Reclaim(m.mem, { low: 8, high: 16 });
      reclaim.startKswapd();
      const p = m.mem.createProcess('reader');
      const file = m.mem.createFile('big', 64 * P);
      const seen: number[] = [];
      p.spawn('cpu0', async (t) => {
        const a = await v(m.mem.mmap(t, { length: 64 * P, prot: PROT.read, flags: MAP.shared, file }));
        for (let i = 0; i < 64; i++) {
          seen.push(await v(m.mem.read(t, a + i * P)));
          await m.sched.sleep(t, 1000); // let kswapd run
        }
      });
      const r = await m.sched.run();
      expect(r.violations).toEqual([]);
      expect(seen).toHaveLength(64);
      expect(m.mem.allocator.freeCount).toBeGreaterThanOrEqual(1);
      expect(m.mem.lru.count(LRU.inactiveFile) + m.mem.lru.count(LRU.activeFile)).toBeLessThan(40);
    });
  }
});

describe('pageout from reclaim', () => {
  it('v6: only a pass allowed to write (kswapd) writes a dirty file page back, then drops it', async () => {
    const m = new Machine({ era: 'v6', memory: { frames: 32 } });
    const t = m.mem.createProcess('w').task('w');
    const file = m.mem.createFile('f', P);
    const a = await v(m.mem.mmap(t, { length: P, prot: PROT.read | PROT.write, flags: MAP.shared, file }));
    await v(m.mem.write(t, a, 77));
    const pfn = file.pageCache.get(0)!;
    const reclaimer = m.task('direct');
    expect(await v(shrinkPage(m.mem, reclaimer, pfn))).toBe('activate');
    expect(await v(shrinkPage(m.mem, reclaimer, pfn))).toBe('keep'); // dirty, not allowed to write
    expect(file.backing.get(0)).toBeUndefined();
    expect(await v(shrinkPage(m.mem, reclaimer, pfn, { writePage: true }))).toBe('freed');
    expect(file.backing.get(0)).toBe(77);
    expect(await v(m.mem.read(t, a))).toBe(77);
  });
});

describe('shrink_active_list aging (recording port)', () => {
  for (const era of ERAS) {
    it(`${era}: an active mapped file page is aged ${era === 'v6' ? 'with the rmap lock only tried' : 'under a trylocked page lock'}, inside reclaim (fs_reclaim held)`, async () => {
      const m = new Machine({ era, memory: { frames: 32 } });
      const reclaim = new Reclaim(m.mem, { low: 1, high: 2 });
      const t = m.mem.createProcess('p').task('p');
      const file = m.mem.createFile('f', P);
      const a = await v(m.mem.mmap(t, { length: P, prot: PROT.read, flags: MAP.shared, file }));
      await v(m.mem.read(t, a));
      const pfn = file.pageCache.get(0)!;
      m.mem.lru.move(pfn, true); // on the active list
      const port = new RecordingPort();
      t.mm!.secondary = port;
      await v(reclaim.shrink(m.task('kswapd'), m.mem.allocator.freeCount + 1));
      const first = port.calls.find((c) => c.op === 'clear_flush_young')!;
      const rmapLock = era === 'v6' ? 'i_mmap_rwsem (rwsem, read, trylock)' : 'i_mmap_lock (spinlock)';
      const pageLock = era === 'v6' ? [] : [`PG_locked[${pfn}] (bit-lock, trylock)`];
      const rcu = era === 'v2.6.27' ? ['rcu_read_lock (rcu, read)'] : [];
      expect(first.held).toEqual(['fs_reclaim (pseudo)', ...pageLock, rmapLock, 'ptl (spinlock)', ...rcu]);
      expect(m.report.violations).toEqual([]);
    });
  }
});
