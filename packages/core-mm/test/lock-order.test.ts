/**
 * The documented lock order (the header of mm/rmap.ts, as data in mm/lock-order.ts)
 * against what lockdep observes: a workload through every multi-lock path of the model
 * must create no dependency the era's table does not allow, and the check must catch
 * one that it does not — an inverted pair in a program, or a table with two entries
 * swapped — even where lockdep, having seen only one of the two orders, stays silent.
 */
import { describe, expect, it } from 'vitest';
import { ERAS, Machine, Mutex, SpinLock, type Era } from '../src/index.js';
import { LOCK_ORDER, type LockOrder } from '../src/mm/lock-order.js';
import { checkLockOrder, contradictions, formatFinding } from './support/lock-order-check.js';
import { lockOrderWorkload, type LockOrderRun } from './support/lock-order-workload.js';
import { ANON, P, pteOf, RW, setup, v } from './support/mm-helpers.js';
import { sync } from './support/lock-helpers.js';

// One workload run per era, shared by the tests that read it.
const runs = new Map<Era, Promise<LockOrderRun>>();
function run(era: Era): Promise<LockOrderRun> {
  let r = runs.get(era);
  if (r === undefined) runs.set(era, (r = lockOrderWorkload(era)));
  return r;
}

/** Table classes core-mm alone never takes: the notifier core's own (read sides, registration) and the LRU lock (no operation takes it yet). */
const NOT_TAKEN_BY_CORE_MM = new Set(['lru_lock', 'mmu_notifier_srcu', 'mmu_notifier_subscriptions.lock']);

/** The port calls each era's core-mm makes (the workload must reach all of them). */
const PORT_OPS: Record<Era, string[]> = {
  'rfc-2008': ['clear_flush_young', 'end', 'invalidate_page', 'release', 'start'],
  'v2.6.27': ['clear_flush_young', 'end', 'invalidate_page', 'release', 'start'],
  v6: ['clear_flush_young', 'end', 'release', 'secondary_tlbs', 'start'],
};

/** `order` with `a` and `b` exchanged in every chain. */
function swapped(order: LockOrder, a: string, b: string): LockOrder {
  return order.map((chain) => chain.map((name) => (name === a ? b : name === b ? a : name)));
}

function edgesOf(m: Machine): ReturnType<Machine['lockdep']['edges']> {
  return m.lockdep.edges();
}

describe('lock order: the table', () => {
  for (const era of ERAS) {
    it(`${era}: is a partial order (no two chains order a pair both ways) and names the rmap locks of the era`, () => {
      const order = LOCK_ORDER[era];
      expect(contradictions(order)).toEqual([]);
      const names = new Set(order.flat());
      const rmap = era === 'v6' ? ['i_mmap_rwsem', 'anon_vma->rwsem'] : ['i_mmap_lock', 'anon_vma->lock'];
      for (const name of rmap) expect(names).toContain(name);
      expect(names.has('mmu_notifier_invalidate_range_start')).toBe(era === 'v6');
    });
  }
});

describe('lock order: a workload under lockdep', () => {
  for (const era of ERAS) {
    it(`${era}: faults, fork, munmap/mprotect/madvise, mlock, gup, file I/O, writeback, reclaim, swap, migration, truncate, exit and an OOM kill create only orders the table allows`, async () => {
      const { m, port, reclaim, outcomes } = await run(era);
      // The workload reached what it is meant to reach.
      expect(m.report.violations).toEqual([]);
      expect([...new Set(port.ops())].sort()).toEqual(PORT_OPS[era]);
      expect(reclaim.kills.map((k) => k.victim?.name)).toEqual(['hog']);
      expect(outcomes.swapOut).toEqual(['activate', 'freed']);
      expect(outcomes.pageout).toEqual(['activate', 'freed']);
      expect(outcomes.written).toBeGreaterThan(0);
      expect(outcomes.moved.every((x) => typeof x === 'number')).toBe(true);
      expect(outcomes.compacted).toBeGreaterThan(0);

      const check = checkLockOrder(edgesOf(m), LOCK_ORDER[era]);
      expect(check.unknown).toEqual([]);
      expect(check.inconsistent.map(formatFinding)).toEqual([]);

      // Every class of the table that core-mm takes took part in some observed order.
      const seen = new Set(edgesOf(m).flatMap((e) => [e.from.name, e.to.name]));
      const expected = [...new Set(LOCK_ORDER[era].flat())].filter((name) => !NOT_TAKEN_BY_CORE_MM.has(name)).sort();
      expect([...seen].sort()).toEqual(expected);
      expect(check.consistent).toBe(edgesOf(m).length);
    });
  }
});

describe('lock order: the check catches an order the table forbids', () => {
  for (const era of ERAS) {
    it(`${era}: a program that holds a page lock and takes mmap_lock is reported, as exactly that edge, though lockdep (one order seen) is silent`, async () => {
      const { m, t } = setup(era, 32);
      const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
      await v(m.mem.write(t, a, 1));
      const pfn = pteOf(t, a).pfn;
      sync(m.mem.pageLock.lock(t, pfn));
      sync(t.mm!.mmapLock.downRead(t));
      sync(t.mm!.mmapLock.upRead(t));
      sync(m.mem.pageLock.unlock(t, pfn));
      expect(m.report.violations).toEqual([]);

      const check = checkLockOrder(edgesOf(m), LOCK_ORDER[era]);
      expect(check.unknown).toEqual([]);
      expect(check.inconsistent.map((f) => [f.kind, f.from, f.to])).toEqual([['inverted', 'PG_locked', 'mmap_lock']]);
      expect(formatFinding(check.inconsistent[0]!)).toMatch(/^inverted: PG_locked -> mmap_lock first by cpu0 at .*lock-order\.test\.ts.*, holding \[PG_locked\[\d+\] \(bit-lock\)\]; the table has i_rwsem -> mmap_lock -> PG_locked -> /);
    });
  }

  it('v6: the workload against a table with i_mmap_rwsem and anon_vma->rwsem swapped: exactly the edge fork makes is inverted', async () => {
    const { m } = await run('v6');
    const check = checkLockOrder(edgesOf(m), swapped(LOCK_ORDER.v6, 'i_mmap_rwsem', 'anon_vma->rwsem'));
    expect(check.inconsistent.map((f) => [f.kind, f.from, f.to, f.edge.task])).toEqual([['inverted', 'i_mmap_rwsem', 'anon_vma->rwsem', 'app']]);
  });

  it('rfc-2008: the workload against a table with PG_locked and mmap_lock swapped: every edge between them is inverted, nothing else', async () => {
    const { m } = await run('rfc-2008');
    const check = checkLockOrder(edgesOf(m), swapped(LOCK_ORDER['rfc-2008'], 'PG_locked', 'mmap_lock'));
    expect(check.inconsistent.map((f) => [f.kind, f.from, f.to])).toEqual([['inverted', 'mmap_lock', 'PG_locked']]);
  });

  it('two table locks that share no chain (the PT lock, then page_table_lock) are reported as unordered', async () => {
    const { m, t } = setup('v6', 32);
    const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
    await v(m.mem.write(t, a, 1));
    const ptl = t.mm!.pageTable.lookup(Math.floor(a / P))!.ptl;
    sync(ptl.lock(t));
    sync(t.mm!.pageTableLock.lock(t));
    sync(t.mm!.pageTableLock.unlock(t));
    sync(ptl.unlock(t));
    const check = checkLockOrder(edgesOf(m), LOCK_ORDER.v6);
    expect(check.inconsistent.map((f) => [f.kind, f.from, f.to])).toEqual([['unordered', 'ptl', 'page_table_lock']]);
    expect(formatFinding(check.inconsistent[0]!)).toContain('the table orders them nowhere');
  });

  it('classes the table does not know (a driver mutex, a test spinlock) are listed and their edges left unjudged', async () => {
    const { m, t } = setup('v6', 32);
    const driver = new Mutex(m, 'driver->mutex');
    const inner = new SpinLock(m, 'test_inner');
    const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
    sync(t.mm!.mmapLock.downRead(t));
    sync(driver.lock(t));
    sync(inner.lock(t));
    sync(inner.unlock(t));
    sync(driver.unlock(t));
    sync(t.mm!.mmapLock.upRead(t));
    await v(m.mem.write(t, a, 1));
    const check = checkLockOrder(edgesOf(m), LOCK_ORDER.v6);
    expect(check.unknown).toEqual(['driver->mutex', 'test_inner']);
    expect(check.inconsistent).toEqual([]);
    // mmap_lock -> driver->mutex, mmap_lock -> test_inner, driver->mutex -> test_inner: not judged.
    expect(check.consistent).toBe(edgesOf(m).length - 3);
  });
});
