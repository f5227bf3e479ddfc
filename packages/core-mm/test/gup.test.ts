import { describe, expect, it } from 'vitest';
import { ERAS, isSmmuError, Machine, MAP, Mutex, PG, PROT, PTE, SpinLock, type Era, type MmEvent, type Task } from '../src/index.js';
import { ftruncate, pwrite } from '../src/mm/file-ops.js';
import { allocDriverPage, freeDriverPage, getUserPages, hmmRangeFault, putPage, setPageDirty, unpinUserPage, walkPageTable } from '../src/mm/gup.js';
import { stateDigest, verify } from '../src/mm/verify.js';
import { ANON, code, P, RW, setup as setupWith, underMmapRead, v } from './support/mm-helpers.js';

function setup(era: Era, frames = 128): { m: Machine; t: Task } {
  return setupWith(era, frames);
}


for (const era of ERAS) {
  describe(`get_user_pages / pin_user_pages (${era})`, () => {
    it('a write pin of a never-touched anonymous page faults it in, takes one reference and one pin; unpin restores', async () => {
      const { m, t } = setup(era);
      const events: MmEvent[] = [];
      m.mem.observers.subscribe((e) => events.push(e));
      const a = await v(m.mem.mmap(t, { length: 2 * P, prot: RW, flags: ANON }));
      const [pfn] = await underMmapRead(t, () => getUserPages(m.mem, t, t.mm!, a, 1, { write: true, pin: true, longterm: true }));
      const f = m.mem.frames;
      expect(pfn).not.toBe(m.mem.allocator.zeroPfn);
      expect(walkPageTable(t.mm!, a)).toMatchObject({ pfn, write: true });
      expect(f.mapcount[pfn!]).toBe(1);
      expect(f.refcount[pfn!]).toBe(2); // the mapping's and the pin's
      expect(f.pincount[pfn!]).toBe(1);
      f.content[pfn!] = 77; // the device writes through its pin
      expect(await v(m.mem.read(t, a))).toBe(77);
      expect(verify(m)).toEqual([]);
      await v(unpinUserPage(m.mem, t, pfn!, { dirty: true }));
      expect([f.refcount[pfn!], f.pincount[pfn!]]).toEqual([1, 0]);
      expect(f.history(pfn!).map((h) => h.event)).toEqual(['alloc', 'map', 'pin', 'unpin']);
      const pins = events.filter((e) => e.kind === 'pin' || e.kind === 'unpin');
      expect(pins).toEqual([
        { kind: 'pin', pfn, generation: f.generation[pfn!], longterm: true, time: expect.any(Number) as number },
        { kind: 'unpin', pfn, generation: f.generation[pfn!], longterm: false, time: expect.any(Number) as number },
      ]);
      expect(m.report.violations).toEqual([]);
    });

    it('get_user_pages without FOLL_PIN: a reference only; put_page drops it', async () => {
      const { m, t } = setup(era);
      const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
      await v(m.mem.write(t, a, 5));
      const [pfn] = await underMmapRead(t, () => getUserPages(m.mem, t, t.mm!, a, 1));
      expect([m.mem.frames.refcount[pfn!], m.mem.frames.pincount[pfn!]]).toEqual([2, 0]);
      expect(await code(() => unpinUserPage(m.mem, t, pfn!))).toBe('EINVAL'); // not pinned
      putPage(m.mem, t, pfn!);
      expect(m.mem.frames.refcount[pfn!]).toBe(1);
    });

    // Only v6 maps the zero page for anonymous reads (2.6.24-2.6.31 allocated a page).
    it.runIf(era === 'v6')('a write gup on a zero-page entry COWs it first; a read gup returns the zero page uncounted', async () => {
      const { m, t } = setup(era);
      const a = await v(m.mem.mmap(t, { length: 2 * P, prot: RW, flags: ANON }));
      await v(m.mem.read(t, a));
      const zero = m.mem.allocator.zeroPfn;
      const zeroRef = m.mem.frames.refcount[zero];
      const read = await underMmapRead(t, () => getUserPages(m.mem, t, t.mm!, a, 2, { pin: true }));
      expect(read).toEqual([zero, zero]);
      expect(m.mem.frames.refcount[zero]).toBe(zeroRef);
      for (const pfn of read) await v(unpinUserPage(m.mem, t, pfn)); // no-op for the zero page
      const [pfn] = await underMmapRead(t, () => getUserPages(m.mem, t, t.mm!, a, 1, { write: true, pin: true }));
      expect(pfn).not.toBe(zero);
      expect(walkPageTable(t.mm!, a)).toMatchObject({ pfn, write: true });
      expect(m.mem.frames.pincount[pfn!]).toBe(1);
      expect(verify(m)).toEqual([]);
    });

    it('a write gup of a private file page gets the COWed copy; of a shared one, the dirty cache page', async () => {
      const { m, t } = setup(era);
      const file = m.mem.createFile('f', 0);
      await v(pwrite(m.mem, t, file, 0, [7]));
      const cached = file.pageCache.get(0)!;
      m.mem.frames.flags[cached] = m.mem.frames.flags[cached]! & ~PG.dirty; // as if written back
      const priv = await v(m.mem.mmap(t, { length: P, prot: RW, flags: MAP.private, file }));
      const shared = await v(m.mem.mmap(t, { length: P, prot: RW, flags: MAP.shared, file }));
      const [copy, page] = await underMmapRead(t, async () => [
        ...(await v(getUserPages(m.mem, t, t.mm!, priv, 1, { write: true }))),
        ...(await v(getUserPages(m.mem, t, t.mm!, shared, 1, { write: true }))),
      ]);
      expect(copy).not.toBe(cached);
      expect(m.mem.frames.content[copy!]).toBe(7);
      expect(m.mem.isAnon(copy!)).toBe(true);
      expect(page).toBe(cached);
      expect(m.mem.frames.flags[cached] & PG.dirty).toBe(PG.dirty);
      putPage(m.mem, t, copy!);
      putPage(m.mem, t, page!);
      expect(verify(m)).toEqual([]);
    });

    it('EFAULT for unmapped, unwritable and beyond-EOF pages; references already taken are dropped', async () => {
      const { m, t } = setup(era);
      const a = await v(m.mem.mmap(t, { length: 2 * P, prot: RW, flags: ANON }));
      const ro = await v(m.mem.mmap(t, { length: P, prot: PROT.read, flags: ANON }));
      const file = m.mem.createFile('short', P);
      const f = await v(m.mem.mmap(t, { length: 2 * P, prot: PROT.read, flags: MAP.shared, file }));
      await v(m.mem.write(t, a, 1));
      const pfn = walkPageTable(t.mm!, a)!.pfn;
      const before = stateDigest(m);
      await underMmapRead(t, async () => {
        expect(await code(() => getUserPages(m.mem, t, t.mm!, a, 3, { pin: true }))).toBe('EFAULT'); // the third page is unmapped
        expect(await code(() => getUserPages(m.mem, t, t.mm!, ro, 1, { write: true }))).toBe('EFAULT');
        expect(await code(() => getUserPages(m.mem, t, t.mm!, f + P, 1))).toBe('EFAULT');
        expect(await code(() => getUserPages(m.mem, t, t.mm!, 2 ** 47 - 2 * P, 4))).toBe('EFAULT');
      });
      expect([m.mem.frames.refcount[pfn], m.mem.frames.pincount[pfn]]).toEqual([1, 0]);
      // Faulted in before the error, as the kernel leaves it (the zero page in v6; 2008 allocated one).
      expect(walkPageTable(t.mm!, a + P)!.pfn === m.mem.allocator.zeroPfn).toBe(era === 'v6');
      expect(verify(m)).toEqual([]);
      expect(stateDigest(m)).not.toBe(before);
      expect(m.report.violations).toEqual([]);
    });

    it('bad arguments are EINVAL and change nothing', async () => {
      const { m, t } = setup(era);
      const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
      await v(m.mem.write(t, a, 1));
      const pfn = walkPageTable(t.mm!, a)!.pfn;
      const before = stateDigest(m);
      const mm = t.mm!;
      expect(await code(() => getUserPages(m.mem, t, mm, a, 1))).toBe('EINVAL'); // mmap_lock not held
      expect(await code(() => hmmRangeFault(m.mem, t, mm, a, a + P))).toBe('EINVAL');
      // Holding some other lock is not holding mmap_lock (mmap_assert_locked names the lock).
      const other = new Mutex(m, 'driver_lock');
      await v(other.lock(t));
      expect(await code(() => getUserPages(m.mem, t, mm, a, 1))).toBe('EINVAL');
      await v(other.unlock(t));
      await underMmapRead(t, async () => {
        expect(await code(() => getUserPages(m.mem, t, mm, a, 0))).toBe('EINVAL');
        expect(await code(() => getUserPages(m.mem, t, mm, a, 1.5))).toBe('EINVAL');
        expect(await code(() => getUserPages(m.mem, t, mm, a + 1, 1))).toBe('EINVAL');
        expect(await code(() => getUserPages(m.mem, t, mm, -P, 1))).toBe('EINVAL');
        expect(await code(() => getUserPages(m.mem, t, mm, a, 1, { longterm: true }))).toBe('EINVAL');
        expect(await code(() => hmmRangeFault(m.mem, t, mm, a, a))).toBe('EINVAL');
        expect(await code(() => hmmRangeFault(m.mem, t, mm, a, a + 100))).toBe('EINVAL');
        expect(await code(() => hmmRangeFault(m.mem, t, mm, a + 1, a + P))).toBe('EINVAL');
      });
      expect(await code(() => unpinUserPage(m.mem, t, pfn))).toBe('EINVAL');
      expect(await code(() => putPage(m.mem, t, m.mem.frames.count))).toBe('EINVAL');
      expect(await code(() => putPage(m.mem, t, m.mem.frames.count - 1))).toBe('EINVAL'); // a free frame
      expect(await code(() => setPageDirty(m.mem, -1))).toBe('EINVAL');
      expect(await code(() => walkPageTable(mm, -1))).toBe('EINVAL');
      expect(await code(() => walkPageTable(mm, 2 ** 47))).toBe('EINVAL');
      expect(await code(() => allocDriverPage(m.mem, t, 'user' as 'kernel'))).toBe('EINVAL');
      expect(await code(() => freeDriverPage(m.mem, t, m.mem.allocator.zeroPfn))).toBe('EINVAL');
      expect(await code(() => freeDriverPage(m.mem, t, pfn))).toBe('EINVAL'); // still mapped
      expect(stateDigest(m)).toBe(before);
      expect(t.describeHeld()).toEqual([]);
    });

    it('a pinned file page outlives truncate: unmapped and out of the cache, freed at unpin', async () => {
      const { m, t } = setup(era);
      const file = m.mem.createFile('f', 0);
      await v(pwrite(m.mem, t, file, 0, [1, 2]));
      const a = await v(m.mem.mmap(t, { length: 2 * P, prot: RW, flags: MAP.shared, file }));
      const [pfn] = await underMmapRead(t, () => getUserPages(m.mem, t, t.mm!, a + P, 1, { write: true, pin: true, longterm: true }));
      expect(pfn).toBe(file.pageCache.get(1));
      const free = m.mem.allocator.freeCount;
      await v(ftruncate(m.mem, t, file, P));
      expect(await code(() => m.mem.read(t, a + P))).toBe('SIGBUS');
      expect(file.pageCache.has(1)).toBe(false);
      expect(m.mem.frames.flags[pfn!]! & PG.free).toBe(0);
      expect([m.mem.frames.refcount[pfn!], m.mem.frames.pincount[pfn!], m.mem.frames.mapcount[pfn!]]).toEqual([1, 1, 0]);
      expect(m.mem.allocator.freeCount).toBe(free);
      expect(verify(m)).toEqual([]);
      await v(unpinUserPage(m.mem, t, pfn!, { dirty: true }));
      expect(m.mem.frames.flags[pfn!]! & PG.free).toBe(PG.free);
      expect(m.mem.allocator.freeCount).toBe(free + 1);
      expect(verify(m)).toEqual([]);
    });

    it('unpin_user_pages_dirty_lock dirties a clean page under its page lock: a sleep, refused in atomic context', async () => {
      const { m, t } = setup(era);
      const file = m.mem.createFile('f', P);
      const a = await v(m.mem.mmap(t, { length: P, prot: PROT.read, flags: MAP.shared, file }));
      const [pfn] = await underMmapRead(t, () => getUserPages(m.mem, t, t.mm!, a, 1, { pin: true }));
      expect(m.mem.frames.flags[pfn!]! & PG.dirty).toBe(0);
      const lock = new SpinLock(m, 'drv_lock');
      await v(lock.lock(t));
      await v(unpinUserPage(m.mem, t, pfn!, { dirty: true }));
      await v(lock.unlock(t));
      expect(m.mem.frames.flags[pfn!]! & PG.dirty).toBe(PG.dirty);
      expect(m.report.violations.map((x) => x.kind)).toEqual(['might-sleep']);
      expect(m.report.violations[0]!.message).toContain('lock_page(PG_locked');
    });
  });

  describe(`hmm_range_fault and the page-table walk (${era})`, () => {
    it('faults every page in, reports what the page table maps, and takes no reference', async () => {
      const { m, t } = setup(era);
      const a = await v(m.mem.mmap(t, { length: 3 * P, prot: RW, flags: ANON }));
      await v(m.mem.write(t, a, 9));
      const mm = t.mm!;
      const read = await underMmapRead(t, () => hmmRangeFault(m.mem, t, mm, a, a + 3 * P));
      const zero = m.mem.allocator.zeroPfn;
      if (era === 'v6') {
        expect(read.map((p) => p.pfn)).toEqual([walkPageTable(mm, a)!.pfn, zero, zero]);
        expect(read.map((p) => p.write)).toEqual([true, false, false]);
      } else {
        // No zero page in the 2008 eras: a read fault allocates a zeroed page, mapped writable in a writable vma.
        expect(read.every((p) => p.pfn !== zero && p.write)).toBe(true);
      }
      for (let k = 0; k < 3; k++) expect(read[k]).toEqual({ pfn: walkPageTable(mm, a + k * P)!.pfn, write: walkPageTable(mm, a + k * P)!.write });
      expect(m.mem.frames.refcount[read[0]!.pfn]).toBe(1); // the mapping's only
      const written = await underMmapRead(t, () => hmmRangeFault(m.mem, t, mm, a, a + 3 * P, { write: true }));
      expect(written.every((p) => p.write && p.pfn !== zero)).toBe(true);
      expect(new Set(written.map((p) => p.pfn)).size).toBe(3);
      for (const p of written) expect([m.mem.frames.refcount[p.pfn], m.mem.frames.mapcount[p.pfn], m.mem.frames.pincount[p.pfn]]).toEqual([1, 1, 0]);
      expect(await v(m.mem.read(t, a))).toBe(9);
      expect(verify(m)).toEqual([]);
      expect(m.report.violations).toEqual([]);
    });

    it('EFAULT without a vma, without read permission, or beyond EOF; EPERM for a write to a read-only vma', async () => {
      const { m, t } = setup(era);
      const mm = t.mm!;
      const none = await v(m.mem.mmap(t, { length: P, prot: PROT.none, flags: ANON }));
      const ro = await v(m.mem.mmap(t, { length: P, prot: PROT.read, flags: ANON }));
      const file = m.mem.createFile('short', P);
      const f = await v(m.mem.mmap(t, { length: 2 * P, prot: PROT.read, flags: MAP.shared, file }));
      await underMmapRead(t, async () => {
        expect(await code(() => hmmRangeFault(m.mem, t, mm, 2 ** 40, 2 ** 40 + P))).toBe('EFAULT');
        expect(await code(() => hmmRangeFault(m.mem, t, mm, none, none + P))).toBe('EFAULT');
        expect(await code(() => hmmRangeFault(m.mem, t, mm, ro, ro + P, { write: true }))).toBe('EPERM');
        const [page] = await v(hmmRangeFault(m.mem, t, mm, ro, ro + P));
        expect(page).toEqual({ pfn: era === 'v6' ? m.mem.allocator.zeroPfn : walkPageTable(mm, ro)!.pfn, write: false });
        expect(await code(() => hmmRangeFault(m.mem, t, mm, f, f + 2 * P))).toBe('EFAULT');
      });
      expect(m.report.violations).toEqual([]);
    });

    it('walkPageTable: null where nothing is mapped, the entry otherwise, and it changes nothing', async () => {
      const { m, t } = setup(era);
      const mm = t.mm!;
      const a = await v(m.mem.mmap(t, { length: 2 * P, prot: RW, flags: ANON }));
      expect(walkPageTable(mm, a)).toBeNull(); // no PTE table yet
      await v(m.mem.write(t, a, 3));
      const before = stateDigest(m);
      const pfn = walkPageTable(mm, a)!.pfn;
      expect(walkPageTable(mm, a + 123)).toEqual({ pfn, write: true, young: true, dirty: true });
      expect(walkPageTable(mm, a + P)).toBeNull(); // a none entry in an existing table
      expect(walkPageTable(mm, 2 ** 46)).toBeNull();
      await v(m.mem.munmap(t, a, P));
      const after = stateDigest(m);
      expect(walkPageTable(mm, a)).toBeNull();
      expect(stateDigest(m)).toBe(after);
      expect(after).not.toBe(before);
      expect(m.mem.frames.flags[pfn]! & PG.free).toBe(PG.free);
      // The entry bits the walk reports are the page table's.
      await v(m.mem.read(t, a + P));
      const table = mm.pageTable.lookup(Math.floor((a + P) / P))!;
      const bits = table.bits[Math.floor((a + P) / P) % 512]!;
      const entry = table.word[Math.floor((a + P) / P) % 512]!;
      // The read's hardware walk set young. v6 maps the zero page read-only; 2008 a dirty writable page.
      expect(walkPageTable(mm, a + P)).toEqual({ pfn: entry, write: (bits & PTE.write) !== 0, young: true, dirty: (bits & PTE.dirty) !== 0 });
      expect(entry === m.mem.allocator.zeroPfn).toBe(era === 'v6');
    });
  });

  describe(`driver allocations (${era})`, () => {
    it("alloc_page(GFP_KERNEL) may sleep: under a spinlock it is a might-sleep report; GFP_ATOMIC is not", async () => {
      const { m, t } = setup(era);
      const lock = new SpinLock(m, 'drv_lock');
      const free = m.mem.allocator.freeCount;
      await v(lock.lock(t));
      const atomic = await v(allocDriverPage(m.mem, t, 'atomic'));
      expect(m.report.violations).toEqual([]);
      const kernel = await v(allocDriverPage(m.mem, t, 'kernel'));
      await v(lock.unlock(t));
      expect(m.report.violations.map((x) => x.kind)).toEqual(['might-sleep']);
      expect(m.report.violations[0]!.message).toContain('alloc_pages(GFP_KERNEL)');
      expect(m.report.violations[0]!.heldLocks).toEqual(['drv_lock (spinlock)']);
      expect(m.mem.allocator.freeCount).toBe(free - 2);
      setPageDirty(m.mem, kernel); // harmless on a driver page
      freeDriverPage(m.mem, t, atomic);
      freeDriverPage(m.mem, t, kernel);
      expect(m.mem.allocator.freeCount).toBe(free);
      expect(await code(() => freeDriverPage(m.mem, t, kernel))).toBe('EINVAL'); // double free
      expect(verify(m)).toEqual([]);
    });

    it('fs_reclaim: a driver mutex held around a GFP_KERNEL allocation and taken in reclaim is an inversion', async () => {
      const { m } = setup(era);
      const drv = new Mutex(m, 'drv_mutex');
      m.sched.spawn('driver', async (t) => {
        await v(drv.lock(t));
        freeDriverPage(m.mem, t, await v(allocDriverPage(m.mem, t, 'kernel')));
        await v(drv.unlock(t));
      });
      m.sched.spawn('kswapd', async (t) => {
        m.fsReclaim.acquire(t); // reclaim runs and calls into the driver (its invalidate)
        await v(drv.lock(t));
        await v(drv.unlock(t));
        m.fsReclaim.release(t);
      });
      const r = await m.sched.run();
      expect(r.violations.map((x) => x.kind)).toEqual(['lock-inversion']);
      expect(r.violations[0]!.message).toContain('drv_mutex');
    });

    it('GFP_ATOMIC under the same mutex teaches lockdep nothing about reclaim', async () => {
      const { m } = setup(era);
      const drv = new Mutex(m, 'drv_mutex');
      m.sched.spawn('driver', async (t) => {
        await v(drv.lock(t));
        freeDriverPage(m.mem, t, await v(allocDriverPage(m.mem, t, 'atomic')));
        await v(drv.unlock(t));
      });
      m.sched.spawn('kswapd', async (t) => {
        m.fsReclaim.acquire(t);
        await v(drv.lock(t));
        await v(drv.unlock(t));
        m.fsReclaim.release(t);
      });
      expect((await m.sched.run()).violations).toEqual([]);
    });
  });
}

describe('a driver pinning under mmap_lock while the process unmaps (scheduled)', () => {
  for (const era of ERAS) {
    it(`${era}: the pin keeps the frame alive across munmap; unpin frees it`, async () => {
      const outcomes = new Set<string>();
      for (let seed = 1; seed <= 10; seed++) {
        const m = new Machine({ era, seed, schedule: { strategy: 'random' }, memory: { frames: 32 } });
        const p = m.mem.createProcess('app');
        const t0 = p.task('setup');
        const a = await v(m.mem.mmap(t0, { length: P, prot: RW, flags: ANON }));
        await v(m.mem.write(t0, a, 42));
        let pinned = -1;
        p.spawn('driver', async (t) => {
          await v(t.mm!.mmapLock.downRead(t));
          try {
            pinned = (await v(getUserPages(m.mem, t, t.mm!, a, 1, { write: true, pin: true })))[0]!;
          } catch (e) {
            if (!isSmmuError(e, 'EFAULT')) throw e; // munmap won the race
          } finally {
            await v(t.mm!.mmapLock.upRead(t));
          }
        });
        p.spawn('unmapper', (t) => m.mem.munmap(t, a, P));
        const r = await m.sched.run();
        expect(r.violations, `seed ${seed}`).toEqual([]);
        expect(verify(m), `seed ${seed}`).toEqual([]);
        outcomes.add(pinned >= 0 ? 'pinned' : 'efault');
        if (pinned >= 0) {
          expect(m.mem.frames.content[pinned]).toBe(42);
          expect([m.mem.frames.refcount[pinned], m.mem.frames.pincount[pinned]]).toEqual([1, 1]);
          await v(unpinUserPage(m.mem, t0, pinned));
          expect(m.mem.frames.flags[pinned]! & PG.free).toBe(PG.free);
        }
      }
      expect([...outcomes].sort()).toEqual(['efault', 'pinned']); // both orders were explored
    });
  }
});
