import { describe, expect, it } from 'vitest';
import { isSwapPte, Machine, pageReferenced, shrinkPage, swapOf, verify, type MmEvent, type Task } from '../src/index.js';
import { ANON, P, pteOf, RW, v } from './support/mm-helpers.js';
import { ackingFork } from './support/acking-fork.js';

/**
 * Races of the swap-in fault (`do_swap_page`) with another swap-in of the same slot and
 * with reclaim holding the page locked.
 */
describe('swap-in races', () => {
  // After a fork both processes hold a swap entry for the one slot. Each fault looks in
  // the swap cache, finds nothing, and allocates a page — which may sleep or be
  // preempted. If the child's fault then reads the slot and adds its page to the swap
  // cache, the parent's fault must find that page when it resumes (the kernel:
  // swapcache_prepare() answers -EEXIST, __read_swap_cache_async() looks again) and map
  // it, not add a second page under the same slot: that left two cache uses of the slot
  // ("swap slot 0 has count 2 but 1 swap entry names it (a leaked use)").
  it('two processes swapping in the slot they share: the second fault maps the first one\'s cached page', async () => {
    let raced = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const m = new Machine({ era: 'v6', seed, schedule: { strategy: 'random' }, memory: { frames: 64 } });
      const app = m.mem.createProcess('app');
      const t = app.task('cpu0');
      const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
      await v(m.mem.write(t, a, 40));
      const child = await v(m.mem.fork(t, 'child'));
      const ct = child.task('child');
      const pfn = pteOf(t, a).pfn;
      expect(pteOf(ct, a).pfn).toBe(pfn);
      const k = m.task('kswapd');
      await v(pageReferenced(m.mem, k, pfn)); // clears the young bits
      expect(await v(shrinkPage(m.mem, k, pfn, { writePage: true }))).toBe('freed');
      expect(isSwapPte(pteOf(t, a).bits) && isSwapPte(pteOf(ct, a).bits)).toBe(true);
      const slot = pteOf(t, a).pfn;
      expect(swapOf(m.mem).count[slot]).toBe(2);
      // Each swap-in that did not find the page in the cache allocated a frame: two means
      // both faults missed the cache before either added its page (the race).
      let allocs = 0;
      m.mem.observers.subscribe((e: MmEvent) => {
        if (e.kind === 'frame-alloc') allocs++;
      });
      const reads: string[] = [];
      app.spawn('app-reader', async (task) => {
        reads.push(`app ${await v(m.mem.read(task, a))}`);
      });
      child.spawn('child-reader', async (task) => {
        reads.push(`child ${await v(m.mem.read(task, a))}`);
      });
      const r = await m.sched.run();
      expect(r.violations.map((x) => `${x.kind}: ${x.message}`)).toEqual([]);
      expect(reads.sort()).toEqual(['app 40', 'child 40']);
      expect(verify(m, { record: false }).map((x) => `seed ${seed}: ${x.message}`)).toEqual([]);
      // One page, shared by both; the last entry gone, it left the swap cache and the slot is free.
      expect(pteOf(t, a).pfn).toBe(pteOf(ct, a).pfn);
      expect(swapOf(m.mem).cache.size).toBe(0);
      expect(swapOf(m.mem).usedCount).toBe(0);
      if (allocs === 2) raced++;
    }
    expect(raced).toBeGreaterThan(0);
  });

  // Reclaim holds the page lock from add_to_swap to __remove_mapping; its try_to_unmap
  // may sleep in a notifier range between the two mappings of a fork's page, with the
  // first mapping already a swap entry and the page in the swap cache. A fault on that
  // entry finds the page in the cache and must lock it before mapping it
  // (folio_lock_or_retry): it waits for reclaim. Its reference (swap_cache_get_folio)
  // makes __remove_mapping's refcount check fail, so reclaim keeps the page in the swap
  // cache ('keep'); the fault then finds it still cached under the slot and maps it.
  it('v6: a swap-in of a page reclaim holds locked waits for the page lock', async () => {
    const { m, app, child, t, ct, a, pfn } = await ackingFork();
    // Who held the page lock of the frame each swap-in mapped, when it mapped it.
    const swapins: string[] = [];
    m.mem.observers.subscribe((e: MmEvent) => {
      if (e.kind === 'pte' && e.cause === 'swapin') swapins.push(`${e.newPfn === pfn ? 'old' : 'new'} frame, lock ${m.mem.pageLock.holder(e.newPfn)?.name ?? 'free'}`);
    });
    const outcomes: string[] = [];
    m.mem.createProcess('kswapd').spawn('kswapd', async (k) => {
      await v(pageReferenced(m.mem, k, pfn));
      outcomes.push(`kswapd: ${await v(shrinkPage(m.mem, k, pfn, { writePage: true }))}`);
    });
    // Each process touches its page as soon as reclaim made its entry a swap entry.
    let cachedAtFault = 0;
    const toucher = (name: string, of: Task) => async (task: Task) => {
      for (let i = 0; i < 100 && !isSwapPte(pteOf(of, a).bits); i++) await v(m.sched.sleep(task, 100));
      if (swapOf(m.mem).cache.get(pteOf(of, a).pfn) === pfn && m.mem.pageLock.holder(pfn)?.name === 'kswapd') cachedAtFault++;
      outcomes.push(`${name}: ${await v(m.mem.read(task, a))}`);
    };
    app.spawn('app-toucher', toucher('app', t));
    child.spawn('child-toucher', toucher('child', ct));
    const r = await m.sched.run();
    expect(r.violations.map((x) => `${x.kind}: ${x.message}`)).toEqual([]);
    expect(cachedAtFault).toBeGreaterThan(0); // a fault found the page cached and locked by reclaim
    // No swap-in mapped the page while reclaim held it locked: the fault waited until
    // reclaim had unmapped the second mapping too and unlocked the page, which the
    // fault's reference kept in the swap cache; both entries map it back from there, each
    // fault holding the page lock itself.
    expect(swapins.sort()).toEqual(['old frame, lock app-toucher', 'old frame, lock child-toucher']);
    expect(outcomes.sort()).toEqual(['app: 40', 'child: 40', 'kswapd: keep']);
    expect(swapOf(m.mem).usedCount).toBe(0); // both entries swapped in, the cache dropped
    expect(verify(m, { record: false }).map((x) => x.message)).toEqual([]);
    expect(await v(m.mem.read(t, a))).toBe(40);
    expect(await v(m.mem.read(ct, a))).toBe(40);
  });
});
