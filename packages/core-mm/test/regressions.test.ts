import { describe, expect, it } from 'vitest';
import { ERAS, isSwapPte, Machine, MAP, pageReferenced, PG, PROT, Reclaim, shrinkPage, swapOf, verify, walkPageTable, type Memory, type ScanVerdict, type Task } from '../src/index.js';
import { ANON, code, P, pteOf, RW, setup, v } from './support/mm-helpers.js';
import { ackingFork } from './support/acking-fork.js';

/**
 * Watch the allocator for a frame freed twice: every `frame-free` must follow an
 * allocation of that frame (frames in use when watching starts count as allocated).
 * Returns the pfns freed while already free.
 */
function watchDoubleFrees(mem: Memory): number[] {
  const live = new Set<number>();
  for (let pfn = 1; pfn < mem.frames.count; pfn++) if ((mem.frames.flags[pfn]! & PG.free) === 0) live.add(pfn);
  const doubles: number[] = [];
  mem.observers.subscribe((e) => {
    if (e.kind === 'frame-alloc') live.add(e.pfn);
    if (e.kind !== 'frame-free') return;
    if (!live.delete(e.pfn)) doubles.push(e.pfn);
  });
  return doubles;
}

/**
 * The testkit's `reclaim` step as kswapd runs it on another process's page: the page
 * found by pfn in the owner's page table (no reference held), then up to `passes`
 * rounds of page_referenced + shrinkPage (writePage: swap-out) until it is freed.
 * Reports whether some pass was handed a frame that was already free.
 */
async function reclaimByPfn(mem: Memory, kswapd: Parameters<typeof shrinkPage>[1], pfn: number, passes: number): Promise<{ verdicts: ScanVerdict[]; sawFree: boolean }> {
  const verdicts: ScanVerdict[] = [];
  let sawFree = false;
  for (let i = 0; i < passes; i++) {
    await v(pageReferenced(mem, kswapd, pfn));
    if ((mem.frames.flags[pfn]! & PG.free) !== 0) sawFree = true;
    const verdict = await v(shrinkPage(mem, kswapd, pfn, { writePage: true }));
    verdicts.push(verdict);
    if (verdict === 'freed') break;
  }
  return { verdicts, sawFree };
}

// Bugs found in review, each pinned by a test that failed before its fix.
describe('regressions', () => {
  for (const era of ERAS) {
    it(`${era}: a shared anonymous mapping's pages are freed with its last mapping (munmap, exit, after fork)`, async () => {
      const { m, t } = setup(era, 64);
      const free = m.mem.allocator.freeCount;
      for (let round = 0; round < 3; round++) {
        const a = await v(m.mem.mmap(t, { length: 4 * P, prot: RW, flags: MAP.shared | MAP.anonymous }));
        for (let i = 0; i < 4; i++) await v(m.mem.write(t, a + i * P, i + 1));
        await v(m.mem.munmap(t, a, 4 * P));
        expect(m.mem.allocator.freeCount).toBe(free);
      }
      const a = await v(m.mem.mmap(t, { length: 2 * P, prot: RW, flags: MAP.shared | MAP.anonymous }));
      await v(m.mem.write(t, a, 7));
      const child = await v(m.mem.fork(t, 'child'));
      const ct = child.task('child');
      await v(m.mem.exit(t));
      expect(await v(m.mem.read(ct, a))).toBe(7); // the child still maps it
      await v(m.mem.exit(ct));
      expect(m.mem.allocator.freeCount).toBe(free);
    });

    it(`${era}: a call waiting for mmap_lock when its process exits fails instead of touching the dead mm`, async () => {
      for (let seed = 1; seed <= 30; seed++) {
        const m = new Machine({ era, seed, schedule: { strategy: 'random' }, memory: { frames: 64 } });
        const p = m.mem.createProcess('app');
        const outcomes: string[] = [];
        p.spawn('exiter', async (t) => {
          await m.sched.yield(t);
          await v(m.mem.exit(t));
        });
        p.spawn('mapper', async (t) => {
          await m.sched.yield(t);
          outcomes.push(await code(() => m.mem.mmap(t, { length: P, prot: RW, flags: ANON })));
        });
        const r = await m.sched.run();
        expect(r.violations).toEqual([]);
        expect(['ok', 'EINVAL']).toContain(outcomes[0]);
        for (const inode of m.mem.inodes()) expect(inode.iMmap.size).toBe(0);
        expect(p.mm).toBeNull();
      }
    });
  }

  // exit_mmap's zap drops the last reference of an anonymous page while kswapd, which
  // found it by pfn, is between reclaim passes. shrinkPage took reclaim's reference with
  // an unconditional get_page: on the free frame that raised the count from 0, and its
  // closing put freed the frame again — once per pass, each pushing the pfn onto the free
  // list a second time ("4095 frames are flagged free but the allocator's free list holds
  // 4098"). isolate_lru_folios only takes a page on the LRU with folio_try_get.
  for (const era of ERAS) {
    it(`${era}: reclaim of a page that exit freed between passes does not free it again`, async () => {
      const m = new Machine({ era, memory: { frames: 64 } });
      const app = m.mem.createProcess('app');
      const t = app.task('cpu0');
      const kswapd = m.mem.createProcess('kswapd').task('kswapd');
      const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
      await v(m.mem.write(t, a, 30));
      const pfn = walkPageTable(t.mm!, a)!.pfn;
      const doubles = watchDoubleFrees(m.mem);
      const free = m.mem.allocator.freeCount;
      await v(m.mem.exit(t)); // the last reference goes: the frame is free
      expect(m.mem.frames.flags[pfn]! & PG.free).toBe(PG.free);
      const { verdicts } = await reclaimByPfn(m.mem, kswapd, pfn, 3);
      expect(verdicts).toEqual(['keep', 'keep', 'keep']); // never isolated: nothing to reclaim
      expect(doubles).toEqual([]);
      expect(m.mem.allocator.freeCount).toBe(free + 1);
      expect(m.mem.frames.refcount[pfn]).toBe(0);
      expect(verify(m, { record: false }).map((x) => x.message)).toEqual([]);
    });
  }

  // The same race under the scheduler, as the release-vs-unregister scenario runs it
  // (minus the device): exit and kswapd's three-pass reclaim of the exiting process's page.
  for (const era of ERAS) {
    it(`${era}: exit racing kswapd's reclaim of its page frees every frame once (random and pct schedules)`, async () => {
      let hit = 0; // schedules in which a reclaim pass was handed the page exit had freed
      for (const strategy of ['random', 'pct'] as const) {
        for (let seed = 1; seed <= 60; seed++) {
          const m = new Machine({ era, seed, schedule: { strategy }, memory: { frames: 64 } });
          const app = m.mem.createProcess('app');
          const doubles = watchDoubleFrees(m.mem);
          let address = -1;
          app.spawn('exit', async (t) => {
            address = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
            await v(m.mem.write(t, address, 30));
            await v(m.sched.sleep(t, 1));
            await v(m.mem.exit(t));
          });
          m.mem.createProcess('kswapd').spawn('kswapd', async (t) => {
            await v(m.sched.sleep(t, 1));
            const mm = app.mm;
            const pfn = mm === null || address < 0 ? undefined : walkPageTable(mm, address)?.pfn;
            if (pfn === undefined) return;
            if ((await reclaimByPfn(m.mem, t, pfn, 3)).sawFree) hit++;
          });
          const r = await m.sched.run();
          expect(r.violations.map((x) => `${x.kind}: ${x.message}`), `${era} ${strategy} seed ${seed}`).toEqual([]);
          expect(doubles, `${era} ${strategy} seed ${seed}`).toEqual([]);
          expect(verify(m, { record: false }).map((x) => x.message), `${era} ${strategy} seed ${seed}`).toEqual([]);
        }
      }
      expect(hit).toBeGreaterThan(0); // the schedules do reach the race
    });
  }

  // shrink_active_list aged a batch of pages taken off the active tail without a
  // reference; aging waits (rmap locks), and exit's zap freed a page meanwhile; the page
  // was then moved to the inactive list: a free frame with PG_lru set ("free pfn 2 is
  // still on the LRU"). isolate_lru_folios takes each page with folio_try_get. Before
  // the fix, the first random seed failed in both 2.6 eras.
  for (const era of ERAS) {
    it(`${era}: shrink_active_list on pages exit frees while they are aged keeps no free frame on the LRU (random and pct schedules)`, async () => {
      for (const strategy of ['random', 'pct'] as const) {
        for (let seed = 1; seed <= 30; seed++) {
          const m = new Machine({ era, seed, schedule: { strategy }, memory: { frames: 64 } });
          const reclaim = new Reclaim(m.mem, { low: 2, high: 4 });
          const app = m.mem.createProcess('app');
          app.spawn('app', async (t) => {
            const a = await v(m.mem.mmap(t, { length: 8 * P, prot: PROT.read | PROT.write, flags: ANON }));
            for (let i = 0; i < 8; i++) await v(m.mem.write(t, a + i * P, i + 1));
            const child = await v(m.mem.fork(t, 'child'));
            child.spawn('child', async (c) => {
              await v(m.sched.sleep(c, 1));
              await v(m.mem.exit(c));
            });
            await v(m.sched.sleep(t, 1));
            await v(m.mem.exit(t));
          });
          m.mem.createProcess('reclaimer').spawn('reclaimer', async (t) => {
            await v(m.sched.sleep(t, 1));
            for (let round = 0; round < 3; round++) await v(reclaim.shrink(t, 64));
          });
          const r = await m.sched.run();
          expect(r.violations.map((x) => `${x.kind}: ${x.message}`), `${era} ${strategy} seed ${seed}`).toEqual([]);
          expect(verify(m, { record: false }).map((x) => x.message), `${era} ${strategy} seed ${seed}`).toEqual([]);
        }
      }
    });
  }

  it('a read of a write-only or exec-only mapping is allowed, as x86 cannot map write without read', async () => {
    const { m, t } = setup('v6');
    const w = await v(m.mem.mmap(t, { length: P, prot: PROT.write, flags: ANON }));
    expect(await v(m.mem.read(t, w))).toBe(0);
    const x = await v(m.mem.mmap(t, { length: P, prot: PROT.exec, flags: ANON }));
    expect(await v(m.mem.read(t, x))).toBe(0);
    const none = await v(m.mem.mmap(t, { length: P, prot: PROT.none, flags: ANON }));
    expect(await code(() => m.mem.read(t, none))).toBe('SIGSEGV');
  });

  // access-vs-reclaim with the acking mirror (v6): try_to_unmap's notifier range sleeps
  // in invalidate_range_start (a secondary waiting for remote acks, as XPMEM does) while
  // reclaim holds the page lock and the page is in the swap cache under the slot it is
  // writing. A fault on a swap entry reclaim had already made mapped the page back from
  // the swap cache, dropped the entry's use and — the slot now used by the cache alone —
  // took the page out of the swap cache and freed the slot, though reclaim held the page
  // lock; reclaim then woke and turned its next mapping into a swap entry naming the
  // free slot ("swap_duplicate: swap slot 0 is not in use"). The kernel frees a page's
  // swap cache only under its page lock (folio_free_swap; free_swap_and_cache trylocks).
  it('v6: a swap-in while reclaim sleeps in a notifier range leaves the page reclaim holds locked in the swap cache', async () => {
    const { m, app, child, t, ct, a, pfn } = await ackingFork();
    expect(pteOf(ct, a).pfn).toBe(pfn); // one page, two mappings: try_to_unmap visits two vmas
    const outcomes: string[] = [];
    m.mem.createProcess('kswapd').spawn('kswapd', async (k) => {
      try {
        await v(pageReferenced(m.mem, k, pfn));
        outcomes.push(`kswapd: ${await v(shrinkPage(m.mem, k, pfn, { writePage: true }))}`);
      } catch (e) {
        outcomes.push(`kswapd: ${(e as Error).message}`);
      }
    });
    // Each process touches its page as soon as reclaim made its entry a swap entry.
    const toucher = (name: string, of: Task) => async (task: Task) => {
      for (let i = 0; i < 100 && !isSwapPte(pteOf(of, a).bits); i++) await v(m.sched.sleep(task, 100));
      const swapped = isSwapPte(pteOf(of, a).bits);
      outcomes.push(`${name}: ${swapped ? 'swap-in' : 'mapped'} ${await v(m.mem.read(task, a))}`);
    };
    app.spawn('app-toucher', toucher('app', t));
    child.spawn('child-toucher', toucher('child', ct));
    const r = await m.sched.run();
    expect(r.violations.map((x) => `${x.kind}: ${x.message}`)).toEqual([]);
    // The first swap-in came while reclaim slept before its second mapping: it waits for
    // the page lock holding a reference (swap_cache_get_folio), so reclaim's refcount
    // check fails and it keeps the page in the swap cache (keep); the faults then map it.
    expect(outcomes.sort()).toEqual(['app: swap-in 40', 'child: swap-in 40', 'kswapd: keep']);
    expect(verify(m, { record: false }).map((x) => x.message)).toEqual([]);
    expect(swapOf(m.mem).usedCount).toBe(0); // both entries swapped in, the cache dropped
    expect(await v(m.mem.read(t, a))).toBe(40);
    expect(await v(m.mem.read(ct, a))).toBe(40);
  });
});
