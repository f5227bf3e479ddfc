import { describe, expect, it } from 'vitest';
import { compact, ERAS, getUserPages, Machine, MAP, movePages, PG, PROT, shrinkPage, unpinUserPage, verify } from '../src/index.js';
import { ANON, P, pteOf, RW, setup, v } from './support/mm-helpers.js';
import { RecordingPort } from './support/recording-port.js';

describe('migration', () => {
  for (const era of ERAS) {
    it(`${era}: move_pages keeps content and every mapping (anonymous shared by fork, and a shared file page)`, async () => {
      const { m, t } = setup(era);
      const a = await v(m.mem.mmap(t, { length: 2 * P, prot: RW, flags: ANON }));
      await v(m.mem.write(t, a, 11));
      await v(m.mem.write(t, a + P, 22));
      const child = await v(m.mem.fork(t, 'child'));
      const c = child.task('c');
      const file = m.mem.createFile('f', P);
      const f = await v(m.mem.mmap(t, { length: P, prot: RW, flags: MAP.shared, file }));
      await v(m.mem.write(t, f, 33));
      const g = await v(m.mem.mmap(c, { length: P, prot: PROT.read, flags: MAP.shared, file }));
      expect(await v(m.mem.read(c, g))).toBe(33);
      const before = [a, a + P, f].map((x) => pteOf(t, x).pfn);
      const moved = await v(movePages(m.mem, t, t.mm!, [a, a + P, f]));
      expect(moved.every((x) => typeof x === 'number')).toBe(true);
      for (const [k, old] of before.entries()) expect(moved[k]).not.toBe(old);
      for (const [k, x] of [a, a + P, f].entries()) expect(pteOf(t, x).pfn).toBe(moved[k]);
      expect(pteOf(c, a).pfn).toBe(moved[0]); // the child's COW-shared mapping moved too
      expect(file.pageCache.get(0)).toBe(moved[2]);
      expect(await v(m.mem.read(t, a))).toBe(11);
      expect(await v(m.mem.read(c, a + P))).toBe(22);
      expect(await v(m.mem.read(c, g))).toBe(33);
      // Each old frame was freed (the LIFO allocator may have handed it out again since).
      for (const old of before) expect(m.mem.frames.history(old).some((h) => h.event === 'free')).toBe(true);
      // COW still works after the move.
      await v(m.mem.write(c, a, 99));
      expect(await v(m.mem.read(t, a))).toBe(11);
      expect(m.mem.frames.flags[moved[2] as number]! & PG.dirty).toBe(PG.dirty);
    });

    it(`${era}: a pinned page is not migrated (EBUSY); unpinned it moves`, async () => {
      const { m, t } = setup(era);
      const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
      await v(m.mem.write(t, a, 5));
      await v(t.mm!.mmapLock.downRead(t));
      const [pfn] = await v(getUserPages(m.mem, t, t.mm!, a, 1, { pin: true, longterm: true }));
      await v(t.mm!.mmapLock.upRead(t));
      expect(await v(movePages(m.mem, t, t.mm!, [a]))).toEqual(['EBUSY']);
      expect(pteOf(t, a).pfn).toBe(pfn);
      await v(unpinUserPage(m.mem, t, pfn!));
      const [moved] = await v(movePages(m.mem, t, t.mm!, [a]));
      expect(moved).not.toBe(pfn);
      expect(await v(m.mem.read(t, a))).toBe(5);
    });

    it(`${era}: the call sites of try_to_migrate per era`, async () => {
      const { m, t } = setup(era);
      const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
      await v(m.mem.write(t, a, 1));
      const port = new RecordingPort();
      t.mm!.secondary = port;
      await v(movePages(m.mem, t, t.mm!, [a]));
      const rmapLock = era === 'v6' ? 'anon_vma->rwsem (rwsem, read)' : 'anon_vma->lock (spinlock)';
      if (era === 'v6') {
        expect(port.ops()).toEqual(['start', 'secondary_tlbs', 'end']);
        expect(port.calls[0]).toMatchObject({ event: 'clear', blockable: true });
        expect(port.calls[1]!.held).toContain('ptl (spinlock)');
      } else {
        // try_to_unmap(page, 1): no young check, invalidate_page under the PT lock and the rmap spinlock.
        expect(port.ops()).toEqual(['invalidate_page']);
        expect(port.calls[0]!.held).toContain(rmapLock);
        expect(port.calls[0]!.held).toContain('ptl (spinlock)');
      }
      expect(port.calls[0]!.held.some((h) => h.startsWith('PG_locked['))).toBe(true);
      expect(m.report.violations).toEqual([]);
    });

    it(`${era}: compaction migrates movable pages and leaves content alone`, async () => {
      const { m, t } = setup(era);
      const a = await v(m.mem.mmap(t, { length: 8 * P, prot: RW, flags: ANON }));
      for (let i = 0; i < 8; i++) await v(m.mem.write(t, a + i * P, i + 1));
      expect(await v(compact(m.mem, t, 8))).toBe(8);
      for (let i = 0; i < 8; i++) expect(await v(m.mem.read(t, a + i * P))).toBe(i + 1);
    });
  }
});

describe('migration against concurrent CPU access', () => {
  for (const era of ERAS) {
    it(`${era}: a CPU access to a page being migrated waits on the migration entry and sees the content`, async () => {
      for (let seed = 1; seed <= 20; seed++) {
        const m = new Machine({ era, seed, schedule: { strategy: 'random', preempt: ['lock', 'spin', 'yield'] }, memory: { frames: 64 } });
        const p = m.mem.createProcess('app');
        const setupTask = p.task('setup');
        const a = await v(m.mem.mmap(setupTask, { length: 2 * P, prot: RW, flags: ANON }));
        await v(m.mem.write(setupTask, a, 41));
        await v(m.mem.write(setupTask, a + P, 42));
        const seen: number[] = [];
        p.spawn('mover', async (t) => {
          await v(movePages(m.mem, t, t.mm!, [a, a + P]));
        });
        p.spawn('cpu', async (t) => {
          await m.sched.yield(t);
          seen.push(await v(m.mem.read(t, a)));
          await v(m.mem.write(t, a + P, 43));
          seen.push(await v(m.mem.read(t, a + P)));
        });
        const r = await m.sched.run();
        expect(r.violations, `seed ${seed}`).toEqual([]);
        expect(seen).toEqual([41, 43]);
        expect(await v(m.mem.read(setupTask, a + P))).toBe(43);
      }
    });
  }
});

describe('migration of a page in the swap cache', () => {
  it('the swap-cache slot moves with the page; the other swap entry maps the new frame', async () => {
    const { m, t } = setup('v6', 64);
    const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
    await v(m.mem.write(t, a, 7));
    const child = await v(m.mem.fork(t, 'child'));
    const c = child.task('c');
    const k = m.task('kswapd');
    const pfn = pteOf(t, a).pfn;
    expect(await v(shrinkPage(m.mem, k, pfn))).toBe('activate');
    expect(await v(shrinkPage(m.mem, k, pfn))).toBe('freed');
    expect(await v(m.mem.read(t, a))).toBe(7); // swap-in: the page enters the swap cache (the child's entry remains)
    const [moved] = await v(movePages(m.mem, t, t.mm!, [a]));
    expect(typeof moved).toBe('number');
    expect(await v(m.mem.read(c, a))).toBe(7);
    expect(pteOf(c, a).pfn).toBe(moved); // found through the swap cache at its new frame
  });
});

describe('migration: what remove_migration_ptes restores, and zapping an entry in flight', () => {
  for (const era of ERAS) {
    it(`${era}: a page of a PROT_NONE mapping stays inaccessible after migration (the new PTE follows vm_page_prot)`, async () => {
      const m = new Machine({ era, memory: { frames: 64 } });
      const t = m.mem.createProcess('app').task('app');
      const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
      await v(m.mem.write(t, a, 7));
      await v(m.mem.mprotect(t, a, P, PROT.none));
      const [moved] = await v(movePages(m.mem, t, t.mm!, [a]));
      expect(typeof moved).toBe('number');
      await expect(Promise.resolve().then(() => m.mem.read(t, a))).rejects.toThrow(/SIGSEGV/);
      await v(m.mem.mprotect(t, a, P, RW));
      expect(await v(m.mem.read(t, a))).toBe(7);
    });

    it(`${era}: MADV_DONTNEED zapping a migration entry drops the page from rss (random schedules)`, async () => {
      for (let seed = 1; seed <= 20; seed++) {
        const m = new Machine({ era, seed, schedule: { strategy: 'random', preempt: ['lock', 'spin', 'yield'] }, memory: { frames: 64 } });
        const p = m.mem.createProcess('app');
        const setupTask = p.task('setup');
        const a = await v(m.mem.mmap(setupTask, { length: 2 * P, prot: RW, flags: ANON }));
        await v(m.mem.write(setupTask, a, 41));
        await v(m.mem.write(setupTask, a + P, 42));
        p.spawn('mover', async (t) => void (await v(movePages(m.mem, t, t.mm!, [a, a + P]))));
        p.spawn('advisor', async (t) => {
          await m.sched.yield(t);
          await v(m.mem.madvise(t, a, 2 * P, 'dontneed'));
        });
        const r = await m.sched.run();
        expect(r.violations, `seed ${seed}`).toEqual([]);
        expect(verify(m, { record: false }).map((x) => x.message), `seed ${seed}`).toEqual([]);
        expect(await v(m.mem.read(setupTask, a))).toBe(0);
      }
    });
  }
});
