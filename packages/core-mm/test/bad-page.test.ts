import { describe, expect, it } from 'vitest';
import {
  allocDriverPage,
  ERAS,
  freeDriverPage,
  getUserPages,
  isSmmuError,
  isSwapPte,
  Machine,
  MAP,
  madvise,
  migratePage,
  PG,
  PROT,
  Reclaim,
  shrinkPage,
  stateDigest,
  unpinUserPage,
  verify,
  walkPageTable,
  type Memory,
  type Violation,
} from '../src/index.js';
import { ANON, P, pteOf, RW, setup, underMmapRead, v } from './support/mm-helpers.js';

/** The machine's `bad-page` violations. */
function badPages(m: Machine): Violation[] {
  return m.report.of('bad-page');
}

/** `verify` findings, as messages (quiet: `[]`). */
function findings(m: Machine): string[] {
  return verify(m, { record: false }).map((x) => x.message);
}

/** Frees of each pfn seen from now on (`frame-free` events). */
function watchFrees(mem: Memory): Map<number, number> {
  const frees = new Map<number, number>();
  mem.observers.subscribe((e) => {
    if (e.kind === 'frame-free') frees.set(e.pfn, (frees.get(e.pfn) ?? 0) + 1);
  });
  return frees;
}

/** A page the driver allocated and freed again: a free frame, its history `alloc, free`. */
async function freedPage(m: Machine, t: Parameters<typeof freeDriverPage>[1]): Promise<number> {
  const pfn = await v(allocDriverPage(m.mem, t, 'kernel'));
  freeDriverPage(m.mem, t, pfn);
  expect(m.mem.frames.flags[pfn]! & PG.free).toBe(PG.free);
  return pfn;
}

describe('bad page (the allocator checks get_page and put_page)', () => {
  it('a double put is reported, naming the pfn, its refcount and the attempt, with the frame history; the frame is not freed again', async () => {
    const { m, t } = setup('v6');
    const pfn = await freedPage(m, t);
    const free = m.mem.allocator.freeCount;
    const frees = watchFrees(m.mem);
    m.mem.allocator.put(t, pfn);
    const [bad, ...rest] = badPages(m);
    expect(rest).toEqual([]);
    expect(bad!.message).toBe(
      `bad page state: put_page(pfn ${pfn}) with refcount 0, flagged free: a double free; refused: the count is left as it is and the frame is not freed a second time`,
    );
    expect(bad!.task).toBe('cpu0');
    expect(bad!.details![0]).toMatch(new RegExp(`^pfn ${pfn}: flags free, refcount 0, mapcount 0, pincount 0, mapping 0, index 0, generation 1$`));
    expect(bad!.details!.slice(1).map((d) => d.trim().split(' ')[0])).toEqual(['alloc', 'free']);
    // Refused: no second free, the count stays 0, the free list holds the frame once.
    expect(frees.get(pfn)).toBeUndefined();
    expect(m.mem.frames.refcount[pfn]).toBe(0);
    expect(m.mem.allocator.freeCount).toBe(free);
    expect(findings(m)).toEqual([]);
    // Still one frame: two allocations hand out two different frames.
    const a = await v(allocDriverPage(m.mem, t, 'kernel'));
    const b = await v(allocDriverPage(m.mem, t, 'kernel'));
    expect(a).toBe(pfn);
    expect(b).not.toBe(pfn);
    expect(badPages(m)).toHaveLength(1);
  });

  it('a put beyond the last reference of a mapped page: the extra one is reported once the count is 0', async () => {
    const { m, t } = setup('v6');
    const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
    await v(m.mem.write(t, a, 7));
    const pfn = pteOf(t, a).pfn;
    await v(m.mem.munmap(t, a, P)); // the mapping's reference: the frame is freed
    m.mem.allocator.put(t, pfn);
    m.mem.allocator.put(t, pfn);
    expect(badPages(m).map((x) => x.message.split(':')[1])).toEqual([` put_page(pfn ${pfn}) with refcount 0, flagged free`, ` put_page(pfn ${pfn}) with refcount 0, flagged free`]);
    expect(findings(m)).toEqual([]);
  });

  it('a get of a free frame is reported; the frame leaves the free list with the caller reference, and its put frees it once', async () => {
    const { m, t } = setup('v6');
    const pfn = await freedPage(m, t);
    const free = m.mem.allocator.freeCount;
    const frees = watchFrees(m.mem);
    m.mem.allocator.get(pfn);
    const [bad, ...rest] = badPages(m);
    expect(rest).toEqual([]);
    expect(bad!.message).toBe(
      `bad page state: get_page(pfn ${pfn}) with refcount 0, flagged free: a reference taken on a page whose last reference is gone; taken off the free list and handed to the caller with refcount 1, so that its put frees the frame once`,
    );
    expect(bad!.task).toBe('-'); // outside a run: no current task
    expect(bad!.details![0]).toContain(`pfn ${pfn}: flags free, refcount 0`);
    // The caller holds the frame: off the free list, refcount 1, not free; verify is quiet.
    expect(m.mem.allocator.freeCount).toBe(free - 1);
    expect(m.mem.frames.refcount[pfn]).toBe(1);
    expect(m.mem.frames.flags[pfn]! & PG.free).toBe(0);
    expect(findings(m)).toEqual([]);
    // Nothing else is handed the frame meanwhile (LIFO would have handed it out first).
    const other = await v(allocDriverPage(m.mem, t, 'kernel'));
    expect(other).not.toBe(pfn);
    freeDriverPage(m.mem, t, other);
    // The caller's put frees it, once.
    m.mem.allocator.put(t, pfn);
    expect(frees.get(pfn)).toBe(1);
    expect(m.mem.allocator.freeCount).toBe(free);
    expect(m.mem.frames.refcount[pfn]).toBe(0);
    expect(badPages(m)).toHaveLength(1);
    expect(findings(m)).toEqual([]);
  });

  it('a get inside a run names the running task', async () => {
    const m = new Machine({ era: 'v6', memory: { frames: 32 } });
    const p = m.mem.createProcess('app');
    let pfn = -1;
    p.spawn('getter', async (t) => {
      pfn = await freedPage(m, t);
      m.mem.allocator.get(pfn);
      m.mem.allocator.put(t, pfn);
    });
    const r = await m.sched.run();
    expect(r.violations.map((x) => [x.kind, x.task])).toEqual([['bad-page', 'getter']]);
    expect(findings(m)).toEqual([]);
  });

  it('a get of a frame being freed (refcount 0, not yet flagged free) is reported and refused; the paired put is reported too', async () => {
    const { m, t } = setup('v6');
    const pfn = await v(allocDriverPage(m.mem, t, 'kernel'));
    const alloc = m.mem.allocator;
    const onFree = alloc.onFree;
    alloc.onFree = (x) => {
      onFree?.(x);
      if (x === pfn) alloc.get(x); // inside __free_pages: the count is 0, PG_buddy not set yet
    };
    alloc.put(t, pfn);
    alloc.onFree = onFree;
    expect(badPages(m).map((x) => x.message)).toEqual([
      `bad page state: get_page(pfn ${pfn}) with refcount 0: a reference taken on a page whose last reference is gone; refused: no reference taken`,
    ]);
    expect(m.mem.frames.refcount[pfn]).toBe(0);
    expect(m.mem.frames.flags[pfn]! & PG.free).toBe(PG.free);
    alloc.put(t, pfn); // the caller's put of the reference it never got
    expect(badPages(m)).toHaveLength(2);
    expect(badPages(m)[1]!.message).toContain(`put_page(pfn ${pfn}) with refcount 0, flagged free: a double free`);
    expect(findings(m)).toEqual([]);
  });

  it('a put of the zero page (reserved) is no violation, and never frees it', () => {
    const { m, t } = setup('v6');
    const zero = m.mem.allocator.zeroPfn;
    const count = m.mem.frames.refcount[zero];
    m.mem.allocator.put(t, zero);
    expect(m.mem.frames.refcount[zero]).toBe(count);
    expect(badPages(m)).toEqual([]);
  });

  it('strict: a bad put or get throws EVIOLATION before anything changed', async () => {
    const m = new Machine({ era: 'v6', strict: true, memory: { frames: 32 } });
    const t = m.mem.createProcess('app').task('cpu0');
    const pfn = await freedPage(m, t);
    const before = stateDigest(m);
    for (const call of [() => m.mem.allocator.put(t, pfn), () => m.mem.allocator.get(pfn)]) {
      let error: unknown;
      try {
        call();
      } catch (e) {
        error = e;
      }
      expect(isSmmuError(error, 'EVIOLATION')).toBe(true);
      expect(stateDigest(m)).toBe(before);
    }
    expect(badPages(m)).toHaveLength(2);
    expect(findings(m)).toEqual([]);
  });

  // The old shrinkPage (before folio_try_get) on a page exit had freed: get_page raised
  // the count from 0, its closing put freed the frame again — once per reclaim pass.
  // The allocator calls it made, made directly: each get is reported, and the model holds.
  for (const era of ERAS) {
    it(`${era}: the old shrinkPage race — get_page + put_page on a page exit freed, three passes — reported, no double free`, async () => {
      const m = new Machine({ era, memory: { frames: 64 } });
      const t = m.mem.createProcess('app').task('cpu0');
      const kswapd = m.mem.createProcess('kswapd').task('kswapd');
      const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
      await v(m.mem.write(t, a, 30));
      const pfn = walkPageTable(t.mm!, a)!.pfn;
      const frees = watchFrees(m.mem);
      await v(m.mem.exit(t));
      const free = m.mem.allocator.freeCount;
      expect(frees.get(pfn)).toBe(1);
      for (let pass = 0; pass < 3; pass++) {
        m.mem.allocator.get(pfn); // isolated: reclaim's own reference (the unconditional get_page)
        m.mem.allocator.put(kswapd, pfn); // reclaim's reference: the last one frees a dropped page
      }
      expect(badPages(m).map((x) => x.message.slice(0, x.message.indexOf(':', 20)))).toEqual(Array(3).fill(`bad page state: get_page(pfn ${pfn}) with refcount 0, flagged free`));
      // Each resurrected frame was freed once more, never while it was on the free list.
      expect(frees.get(pfn)).toBe(4);
      expect(m.mem.allocator.freeCount).toBe(free);
      expect(m.mem.frames.refcount[pfn]).toBe(0);
      expect(findings(m)).toEqual([]);
    });

    it(`${era}: today's shrinkPage on a page exit freed takes no reference: no bad page`, async () => {
      const m = new Machine({ era, memory: { frames: 64 } });
      const t = m.mem.createProcess('app').task('cpu0');
      const kswapd = m.mem.createProcess('kswapd').task('kswapd');
      const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
      await v(m.mem.write(t, a, 30));
      const pfn = walkPageTable(t.mm!, a)!.pfn;
      await v(m.mem.exit(t));
      for (let pass = 0; pass < 3; pass++) expect(await v(shrinkPage(m.mem, kswapd, pfn, { writePage: true }))).toBe('keep');
      expect(badPages(m)).toEqual([]);
      expect(findings(m)).toEqual([]);
    });
  }

  for (const era of ERAS) {
    it(`${era}: quiet across fault, COW, fork, gup pin, swap-out and swap-in, migration, madvise, munmap and exit`, async () => {
      const { m, t } = setup(era, 128);
      const kswapd = m.task('kswapd');
      const a = await v(m.mem.mmap(t, { length: 4 * P, prot: RW, flags: ANON }));
      for (let i = 0; i < 4; i++) await v(m.mem.write(t, a + i * P, 10 + i));
      expect(await v(m.mem.read(t, a + 4 * P - P))).toBe(13);
      const file = m.mem.createFile('f', 2 * P);
      const f = await v(m.mem.mmap(t, { length: 2 * P, prot: RW, flags: MAP.shared, file }));
      await v(m.mem.write(t, f, 77));
      const r = await v(m.mem.mmap(t, { length: P, prot: PROT.read, flags: ANON }));
      expect(await v(m.mem.read(t, r))).toBe(0); // the zero page
      const child = await v(m.mem.fork(t, 'child'));
      const c = child.task('c');
      await v(m.mem.write(c, a, 99)); // COW break in the child
      expect(await v(m.mem.read(t, a))).toBe(10);
      // gup: a pin held across a migration attempt, then released.
      const [pinned] = await underMmapRead(t, () => getUserPages(m.mem, t, t.mm!, a + P, 1, { pin: true, write: true }));
      await v(unpinUserPage(m.mem, t, pinned!, { dirty: true }));
      // Swap out a private page and read it back; reclaim a clean file page.
      const victim = pteOf(t, a + 2 * P).pfn;
      for (let pass = 0; pass < 3 && (m.mem.frames.flags[victim]! & PG.free) === 0; pass++) await v(shrinkPage(m.mem, kswapd, victim, { writePage: true }));
      expect(isSwapPte(pteOf(t, a + 2 * P).bits) && isSwapPte(pteOf(c, a + 2 * P).bits)).toBe(true);
      expect(await v(m.mem.read(t, a + 2 * P))).toBe(12);
      const cached = file.pageCache.get(0)!;
      for (let pass = 0; pass < 3 && (m.mem.frames.flags[cached]! & PG.free) === 0; pass++) await v(shrinkPage(m.mem, kswapd, cached, { writePage: true }));
      expect(file.pageCache.get(0)).toBeUndefined();
      expect(await v(m.mem.read(t, f))).toBe(77);
      // Migrate an anonymous page shared with the child and a file page.
      await v(migratePage(m.mem, t, pteOf(t, a + 3 * P).pfn));
      await v(migratePage(m.mem, t, file.pageCache.get(0)!));
      expect(await v(m.mem.read(c, a + 3 * P))).toBe(13);
      // Zap: MADV_DONTNEED, munmap, then both processes exit.
      await v(madvise(m.mem, t, a, 2 * P, 'dontneed'));
      expect(await v(m.mem.read(t, a))).toBe(0);
      await v(m.mem.munmap(t, f, 2 * P));
      await v(m.mem.exit(c));
      await v(m.mem.exit(t));
      expect(m.report.violations).toEqual([]);
      expect(findings(m)).toEqual([]);
    });

    it(`${era}: quiet under memory pressure: kswapd and direct reclaim against faulting, forking and exiting tasks (random schedules)`, async () => {
      for (let seed = 1; seed <= 10; seed++) {
        const m = new Machine({ era, seed, schedule: { strategy: 'random' }, memory: { frames: 48 } });
        new Reclaim(m.mem, { low: 4, high: 8 }).startKswapd();
        const file = m.mem.createFile('big', 40 * P);
        for (let i = 0; i < 40; i++) file.backing.set(i, 100 + i);
        const parent = m.mem.createProcess('parent');
        parent.spawn('parent', async (t) => {
          const a = await v(m.mem.mmap(t, { length: 12 * P, prot: RW, flags: ANON }));
          for (let i = 0; i < 12; i++) await v(m.mem.write(t, a + i * P, i + 1));
          const child = await v(m.mem.fork(t, 'child'));
          child.spawn('child', async (c) => {
            for (let i = 0; i < 12; i += 3) await v(m.mem.write(c, a + i * P, 50 + i));
            await v(m.mem.exit(c));
          });
          const g = await v(m.mem.mmap(t, { length: 40 * P, prot: PROT.read, flags: MAP.shared, file }));
          for (let i = 0; i < 40; i++) expect(await v(m.mem.read(t, g + i * P))).toBe(100 + i);
          for (let i = 0; i < 12; i++) expect(await v(m.mem.read(t, a + i * P))).toBe(i + 1);
          await v(m.mem.exit(t));
        });
        const r = await m.sched.run();
        expect(r.violations.map((x) => `${x.kind}: ${x.message}`), `seed ${seed}`).toEqual([]);
        expect(findings(m), `seed ${seed}`).toEqual([]);
      }
    });
  }
});
