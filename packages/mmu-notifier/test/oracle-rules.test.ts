import { Machine, PROT, type Task } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { mmuNotifierRegister, type DeviceTranslation } from '../src/index.js';
import { ANON, P, RW, setup, v } from './support/helpers.js';
import { HoldsRefDriver, IntervalDriver, NoRefDriver, register, SharedTlbDriver, spy } from './support/oracle-drivers.js';
import { anonPages, frameAt, kinds, messages, reclaim } from './support/oracle-helpers.js';

/*
 * The rules by driver class: reported even on a schedule where nothing was harmed yet.
 * "Another engine of the device" accesses memory from a bystander notifier's callback,
 * i.e. at a chosen instant inside the driver's invalidation window.
 */

/** A device access through `h` by `engine`, which must not suspend (direct task). */
function touch(drv: { device: { read(task: Task, h: DeviceTranslation): number | Promise<number> } }, engine: Task, h: DeviceTranslation | undefined): void {
  if (h === undefined) return;
  const r = drv.device.read(engine, h);
  if (r instanceof Promise) throw new Error('a direct device access suspended');
}

describe('no references: access in an invalidation window', () => {
  async function madviseWindow(bug: 'none' | 'keeps-translations'): Promise<Machine> {
    const { m, t } = setup('v6');
    const engine = m.task('engine');
    const drv = new NoRefDriver(m, t.mm!, bug);
    // Registered first, so called after the driver's start has returned.
    await v(mmuNotifierRegister(t, spy({ onStart: (range) => touch(drv, engine, drv.device.lookup(t.mm!, range.start)) }), t.mm!));
    await register(t, drv);
    const a = await anonPages(m, t);
    expect(await drv.read(t, a)).toBe(100);
    await v(m.mem.madvise(t, a, P, 'dontneed'));
    return m;
  }

  it('fires for an access after invalidate_range_start returned and before its end (the driver kept its translation)', async () => {
    const m = await madviseWindow('keeps-translations');
    expect(kinds(m)).toEqual(['access-in-invalidation']);
    expect(messages(m, 'access-in-invalidation')[0]).toMatch(/^noref: read at 0x[0-9a-f]+ \(mm \d+, pfn \d+\) after noref's invalidate_range_start\(0x[0-9a-f]+-0x[0-9a-f]+, clear\) by cpu0 at 0 ns returned and before its end$/);
    expect(m.report.violations[0]!.task).toBe('engine');
  });

  it('stays quiet for the correct driver (nothing left to access)', async () => {
    expect(kinds(await madviseWindow('none'))).toEqual([]);
  });

  it('a driver holding references may access in the window: the same access is no rule violation for it', async () => {
    const { m, t } = setup('v6');
    const engine = m.task('engine');
    const drv = new HoldsRefDriver(m, t.mm!);
    await v(mmuNotifierRegister(t, spy({ onStart: (range) => touch(drv, engine, drv.device.lookup(t.mm!, range.start)) }), t.mm!));
    await register(t, drv);
    const a = await anonPages(m, t);
    expect(await drv.read(t, a)).toBe(100);
    await v(m.mem.madvise(t, a, P, 'dontneed'));
    expect(drv.device.translations()).toEqual([]); // torn down in end
    expect(kinds(m)).toEqual([]);
  });

  describe('PROTECTION_* events', () => {
    /** mprotect to `prot` with a bystander reading through the driver's translation after the driver's start (`when: 'start'`) or after the PTEs changed, before the driver's end (`'end'`). */
    async function mprotectWindow(bug: 'none' | 'no-downgrade', prot: number, when: 'start' | 'end'): Promise<Machine> {
      const { m, t } = setup('v6');
      const engine = m.task('engine');
      const drv = new NoRefDriver(m, t.mm!, bug);
      const bystander = spy({
        onStart: (range) => (when === 'start' ? touch(drv, engine, drv.device.lookup(t.mm!, range.start)) : undefined),
        onEnd: (_task, range) => (when === 'end' ? touch(drv, engine, drv.device.lookup(t.mm!, range.start)) : undefined),
      });
      // Ends run newest first: a bystander registered after the driver ends before it.
      if (when === 'start') await v(mmuNotifierRegister(t, bystander, t.mm!));
      await register(t, drv);
      if (when === 'end') await v(mmuNotifierRegister(t, bystander, t.mm!));
      const a = await anonPages(m, t);
      await drv.write(t, a, 5);
      await v(m.mem.mprotect(t, a, P, prot));
      return m;
    }

    it('lets reads through a mapping the driver downgraded to read-only', async () => {
      expect(kinds(await mprotectWindow('none', PROT.read, 'start'))).toEqual([]);
      expect(kinds(await mprotectWindow('none', PROT.read, 'end'))).toEqual([]);
    });

    it('fires for a read through a mapping the driver left writable', async () => {
      expect(kinds(await mprotectWindow('no-downgrade', PROT.read, 'start'))).toEqual(['access-in-invalidation']);
    });

    it('fires for a read through a read-only mapping once the primary no longer lets the CPU read (PROT_NONE)', async () => {
      const m = await mprotectWindow('none', PROT.none, 'end');
      expect(kinds(m)).toEqual(['access-in-invalidation']);
      expect(messages(m, 'access-in-invalidation')[0]).toContain('protection-vma');
    });
  });

  describe('2008 eras: invalidate_page', () => {
    async function cowAfterRead(bug: 'none' | 'keeps-translations'): Promise<{ m: Machine; seen: number }> {
      const { m, t } = setup('v2.6.27');
      const drv = new NoRefDriver(m, t.mm!, bug);
      await register(t, drv);
      const a = await anonPages(m, t);
      expect(await drv.read(t, a)).toBe(100);
      await v(m.mem.fork(t, 'child'));
      await v(m.mem.write(t, a, 200)); // COW: invalidate_page from ptep_clear_flush_notify
      return { m, seen: await drv.read(t, a) };
    }

    it('fires for an access through a translation invalidate_page should have dropped (with the stale read it caused)', async () => {
      const { m, seen } = await cowAfterRead('keeps-translations');
      expect(seen).toBe(100);
      expect(kinds(m)).toEqual(['access-in-invalidation', 'stale-read']);
      expect(messages(m, 'access-in-invalidation')[0]).toMatch(/through a translation invalidate_page\(0x[0-9a-f]+\) by cpu0 already invalidated \(returned at 0 ns\)/);
    });

    it('stays quiet for the correct driver, which drops the page there and faults the new one in', async () => {
      const { m, seen } = await cowAfterRead('none');
      expect(seen).toBe(200);
      expect(kinds(m)).toEqual([]);
    });
  });

  describe('interval notifiers', () => {
    async function intervalWindow(bug: 'none' | 'keeps-translations'): Promise<Machine> {
      const { m, t } = setup('v6');
      const engine = m.task('engine');
      const drv = new IntervalDriver(m, t.mm!, bug);
      await drv.insert(t);
      // The interval pass runs before the classic list: any classic subscriber's start is inside the window.
      await v(mmuNotifierRegister(t, spy({ onStart: (range) => touch(drv, engine, drv.device.lookup(t.mm!, range.start)) }), t.mm!));
      const a = await anonPages(m, t, 2);
      expect(await drv.read(t, a)).toBe(100);
      await v(m.mem.madvise(t, a, P, 'dontneed'));
      if (bug === 'none') {
        expect(await drv.read(t, a)).toBe(0); // faulted again after the (closed) window: quiet
        expect(await drv.read(t, a + P)).toBe(101);
      }
      return m;
    }

    it('fires for an access after the interval invalidate returned, while the sequence is odd', async () => {
      const m = await intervalWindow('keeps-translations');
      expect(kinds(m)).toEqual(['access-in-invalidation']);
      expect(messages(m, 'access-in-invalidation')[0]).toContain("dmirror's interval invalidate");
    });

    it('stays quiet for the correct driver', async () => {
      expect(kinds(await intervalWindow('none'))).toEqual([]);
    });
  });
});

describe('no references: new translation in an invalidation window', () => {
  /** One task madvises while a bystander's end sleeps; the device engine faults the page in meanwhile. */
  async function race(bug: 'none' | 'maps-in-invalidation'): Promise<{ m: Machine; seen: number }> {
    const m = new Machine({ era: 'v6', memory: { frames: 64 } });
    const proc = m.mem.createProcess('app');
    const setupTask = proc.task('setup');
    const drv = new NoRefDriver(m, proc.mm!, bug);
    await register(setupTask, drv);
    // Registered after the driver: its end runs first, and sleeps with the driver's window open.
    const slow = spy({ onEnd: (task) => m.sched.sleep(task, 1000) }, 'slow');
    await v(mmuNotifierRegister(setupTask, slow, proc.mm!));
    const a = await anonPages(m, setupTask);
    let seen = -1;
    proc.spawn('cpu0', async (task) => {
      await v(m.mem.madvise(task, a, P, 'dontneed'));
    });
    proc.spawn('engine', async (task) => {
      await m.sched.sleep(task, 500);
      seen = await drv.read(task, a);
    });
    const r = await m.sched.run();
    expect(r.violations.filter((x) => !x.kind.endsWith('invalidation'))).toEqual([]);
    return { m, seen };
  }

  it('fires for a translation established after start returned and before end (the fault ignored the in-progress count)', async () => {
    const { m, seen } = await race('maps-in-invalidation');
    expect(seen).toBe(0);
    expect(kinds(m)).toEqual(['map-in-invalidation', 'access-in-invalidation']);
    expect(messages(m, 'map-in-invalidation')[0]).toMatch(/^noref: new translation of 0x[0-9a-f]+ \(mm \d+\) to pfn 0 after noref's invalidate_range_start\(.*, clear\) by cpu0 at 0 ns returned and before its end$/);
    expect(m.report.violations[0]!.task).toBe('engine');
  });

  it('stays quiet for the correct driver, which waits for the end and retries', async () => {
    const { m, seen } = await race('none');
    expect(seen).toBe(0);
    expect(m.clock.now).toBeGreaterThanOrEqual(1000);
    expect(kinds(m)).toEqual([]);
  });
});

describe('sharing the CPU page table: the flush under the PT lock', () => {
  it('fires when a page is freed while the device TLB still holds it (munmap)', async () => {
    const { m, t } = setup('v6');
    const drv = new SharedTlbDriver(m, t.mm!, 'defers-flush');
    await register(t, drv);
    const a = await anonPages(m, t);
    expect(await drv.read(t, a)).toBe(100);
    const pfn = frameAt(t, a);
    await v(m.mem.munmap(t, a, P));
    expect(kinds(m)).toEqual(['late-secondary-flush']);
    expect(messages(m, 'late-secondary-flush')[0]).toBe(`sva: pfn ${pfn} was freed while the device TLB still held it for 0x${a.toString(16)} (mm ${t.mm!.id}): the flush must come under the PT lock, before the page is freed`);
  });

  it('fires when the PTE moves to a new page (COW) while the device TLB still holds the old one', async () => {
    const { m, t } = setup('v6');
    const drv = new SharedTlbDriver(m, t.mm!, 'defers-flush');
    await register(t, drv);
    const a = await anonPages(m, t);
    expect(await drv.read(t, a)).toBe(100);
    await v(m.mem.fork(t, 'child'));
    await v(m.mem.write(t, a, 200));
    expect(kinds(m)).toEqual(['late-secondary-flush']);
    expect(messages(m, 'late-secondary-flush')[0]).toMatch(/moved to pfn \d+ \(cow\) while the device TLB still held pfn \d+/);
  });

  it('does not judge downgrades, which may wait', async () => {
    const { m, t } = setup('v6');
    const drv = new SharedTlbDriver(m, t.mm!, 'defers-flush');
    await register(t, drv);
    const a = await anonPages(m, t);
    await drv.write(t, a, 1);
    await v(m.mem.mprotect(t, a, P, PROT.read));
    expect(kinds(m)).toEqual([]);
    drv.device.dropAll();
  });

  it('stays quiet for the correct driver (munmap, COW, downgrade, reclaim)', async () => {
    const { m, t } = setup('v6');
    const drv = new SharedTlbDriver(m, t.mm!);
    await register(t, drv);
    const a = await anonPages(m, t, 3);
    expect(await drv.read(t, a)).toBe(100);
    await v(m.mem.munmap(t, a, P));
    expect(await drv.read(t, a + P)).toBe(101);
    await v(m.mem.fork(t, 'child'));
    await v(m.mem.write(t, a + P, 200));
    expect(await drv.read(t, a + P)).toBe(200);
    await drv.write(t, a + 2 * P, 7);
    await v(m.mem.mprotect(t, a + 2 * P, P, PROT.read));
    expect(await drv.read(t, a + 2 * P)).toBe(7);
    expect(drv.device.lookup(t.mm!, a + P)).toBeDefined();
    expect((await reclaim(m, frameAt(t, a + P))).at(-1)).toBe('freed'); // swapped out and freed: the flush came first
    expect(drv.device.translations(t.mm!).map((h) => h.address)).toEqual([a + 2 * P]);
    expect(await drv.read(t, a + P)).toBe(200); // faulted back from swap
    expect(kinds(m)).toEqual([]);
  });
});

describe('classes are judged only by their own rules', () => {
  /**
   * A driver keeps its writable translation across fork's PROTECTION_PAGE window; another
   * engine of the device reads through it inside the window; then the process writes
   * the page (COW) and the device reads again.
   */
  async function keepAcrossFork(drv: NoRefDriver | HoldsRefDriver, t: Task): Promise<{ inWindow: number; afterCow: number }> {
    const m = drv.m;
    const engine = m.task('engine');
    let inWindow = -1;
    const inside = spy({
      onStart: (range) => {
        const h = drv.device.lookup(t.mm!, range.start);
        if (range.event !== 'protection-page' || h === undefined) return;
        const r = drv.device.read(engine, h);
        if (r instanceof Promise) throw new Error('a direct device access suspended');
        inWindow = r;
      },
    });
    // Registered first, so called after the driver's start has returned: inside its window.
    await v(mmuNotifierRegister(t, inside, t.mm!));
    await register(t, drv);
    const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
    await drv.write(t, a, 1);
    await v(m.mem.mprotect(t, a, P, PROT.read | PROT.write)); // no change: no window
    await v(m.mem.fork(t, 'child')); // PROTECTION_PAGE window on the parent
    const kept = drv.device.lookup(t.mm!, a)!;
    expect(kept.writable).toBe(true);
    await v(m.mem.write(t, a, 2)); // COW: the parent's page moves
    return { inWindow, afterCow: await v(drv.device.read(t, kept)) };
  }

  it('a holds-references driver keeping translations across an invalidation window breaks no rule until an outcome goes wrong', async () => {
    const { m, t } = setup('v6');
    const drv = new HoldsRefDriver(m, t.mm!, 'never-tears-down');
    const { inWindow, afterCow } = await keepAcrossFork(drv, t);
    expect(inWindow).toBe(1); // the access inside the window: no rule for this class
    expect(afterCow).toBe(1);
    expect(kinds(m)).toEqual(['stale-read', 'revoked-translation']); // only the outcome, once the process moved on
  });

  it('the same access by a no-references driver breaks its rule', async () => {
    const { m, t } = setup('v6');
    const drv = new NoRefDriver(m, t.mm!, 'keeps-translations');
    const { inWindow, afterCow } = await keepAcrossFork(drv, t);
    expect(inWindow).toBe(1);
    expect(afterCow).toBe(1);
    expect(kinds(m)).toEqual(['access-in-invalidation', 'stale-read', 'revoked-translation']);
  });
});
