/**
 * The access-in-invalidation rule's scoping: a window speaks only for its own pages,
 * its own mm, its own subscription, and closes with its own bracket. Each case has the
 * access that must be reported and the access that must not: a rule that matched any
 * open window, or let any end close the newest window, would otherwise pass.
 */
import { EAGAIN, hmmRangeFault, Machine, type MmuNotifierRange, type Task } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { DeviceMmu, MmuNotifier, mmuNotifierRegister, subscriptionsOf, type DeviceTranslation } from '../src/index.js';
import { P, setup, v } from './support/helpers.js';
import { IntervalDriver, NoRefDriver, register, spy } from './support/oracle-drivers.js';
import { anonPages, kinds, messages } from './support/oracle-helpers.js';

/** A device read through `h` by `engine` that must not suspend (direct task). */
function touch(drv: { device: DeviceMmu }, engine: Task, h: DeviceTranslation | undefined): void {
  expect(h).toBeDefined();
  expect(drv.device.read(engine, h!)).not.toBeInstanceOf(Promise);
}

/** Open a range bracket by hand on `t`'s mm, as a kernel call site does. */
async function start(t: Task, first: number, last: number): Promise<MmuNotifierRange> {
  const r: MmuNotifierRange = { mm: t.mm!, start: first, end: last, event: 'clear', blockable: true, owner: null };
  t.mm!.rangesInFlight++;
  expect(await v(subscriptionsOf(t.mm!)!.invalidateRangeStart(t, r))).toBe(0);
  return r;
}

async function end(t: Task, r: MmuNotifierRange): Promise<void> {
  await v(subscriptionsOf(r.mm)!.invalidateRangeEnd(t, r));
  r.mm.rangesInFlight--;
}

describe('access-in-invalidation: a window speaks for its own pages only', () => {
  /** Two pages mapped by a driver that keeps its translations; madvise(DONTNEED) of page 1 with the device reading `page` inside that window. */
  async function readDuringDontneedOfPage1(page: number): Promise<string[]> {
    const { m, t } = setup('v6');
    const engine = m.task('engine');
    const drv = new NoRefDriver(m, t.mm!, 'keeps-translations');
    const target: { a: number } = { a: 0 };
    await v(mmuNotifierRegister(t, spy({ onStart: () => touch(drv, engine, drv.device.lookup(t.mm!, target.a + page * P)) }), t.mm!));
    await register(t, drv);
    target.a = await anonPages(m, t, 2);
    await drv.read(t, target.a);
    await drv.read(t, target.a + P);
    await v(m.mem.madvise(t, target.a + P, P, 'dontneed'));
    return kinds(m);
  }

  it('fires for a read of the page being invalidated', async () => {
    expect(await readDuringDontneedOfPage1(1)).toEqual(['access-in-invalidation']);
  });

  it('stays quiet for a read of the neighbouring page, outside the range', async () => {
    expect(await readDuringDontneedOfPage1(0)).toEqual([]);
  });
});

describe('access-in-invalidation: a window speaks for its own subscription and mm only', () => {
  it("stays quiet for another driver's translation while only the first driver's window is open", async () => {
    const { m, t } = setup('v6');
    const engine = m.task('engine');
    const later = new NoRefDriver(m, t.mm!, 'keeps-translations', 'later');
    const target: { a: number } = { a: 0 };
    // Newest first: `first`'s start, then the spy (reading through `later`), then `later`'s start.
    await register(t, later);
    await v(mmuNotifierRegister(t, spy({ onStart: () => touch(later, engine, later.device.lookup(t.mm!, target.a)) }), t.mm!));
    const first = new NoRefDriver(m, t.mm!, 'keeps-translations', 'first');
    await register(t, first);
    target.a = await anonPages(m, t);
    await later.read(t, target.a);
    await v(m.mem.madvise(t, target.a, P, 'dontneed'));
    expect(kinds(m)).toEqual([]);
  });

  it("stays quiet for a translation of another mm at the same address while this mm's window is open", async () => {
    const { m, t } = setup('v6');
    const engine = m.task('engine');
    const other = m.mem.createProcess('other').task('other:0');
    const mine = new NoRefDriver(m, t.mm!, 'keeps-translations', 'mine');
    const theirs = new NoRefDriver(m, other.mm!, 'keeps-translations', 'theirs');
    await register(other, theirs);
    await register(t, mine);
    const a = await anonPages(m, t);
    const b = await anonPages(m, other);
    expect(b).toBe(a); // the same virtual address in both
    await theirs.read(other, b);
    await mine.read(t, a);
    const r = await start(t, a, a + P);
    touch(theirs, engine, theirs.device.lookup(other.mm!, b));
    expect(kinds(m)).toEqual([]);
    touch(mine, engine, mine.device.lookup(t.mm!, a));
    expect(kinds(m)).toEqual(['access-in-invalidation']);
    await end(t, r);
  });
});

describe('access-in-invalidation: an end closes its own bracket', () => {
  it('two brackets from two tasks: the older one ending leaves the newer open', async () => {
    const m = new Machine({ era: 'v6', memory: { frames: 256 } });
    const app = m.mem.createProcess('app');
    const t = app.task('cpu0');
    const t2 = app.task('cpu1');
    const engine = m.task('engine');
    const drv = new NoRefDriver(m, t.mm!, 'keeps-translations');
    await register(t, drv);
    const a = await anonPages(m, t, 2);
    await drv.read(t, a);
    await drv.read(t, a + P);
    const older = await start(t, a, a + P);
    const newer = await start(t2, a + P, a + 2 * P);
    await end(t, older);
    touch(drv, engine, drv.device.lookup(t.mm!, a)); // its window closed
    expect(kinds(m)).toEqual([]);
    touch(drv, engine, drv.device.lookup(t.mm!, a + P)); // still inside the newer bracket
    expect(kinds(m)).toEqual(['access-in-invalidation']);
    expect(messages(m, 'access-in-invalidation')[0]).toContain('by cpu1');
    await end(t2, newer);
  });
});

describe('access-in-invalidation: a v6 non-blockable start opens a window only when it answered 0', () => {
  /**
   * A driver with a start and no end (its window closes when no bracket is in flight),
   * answering `answer` to a non-blockable range and keeping its translation; the range
   * fails or passes while another task's bracket is in flight, and the device then
   * reads the page.
   */
  async function readAfterNonBlockableStart(answer: 0 | typeof EAGAIN): Promise<string[]> {
    const m = new Machine({ era: 'v6', memory: { frames: 256 } });
    const app = m.mem.createProcess('app');
    const t = app.task('cpu0');
    const reaper = m.task('oom_reaper');
    const engine = m.task('engine');
    const device = new DeviceMmu(m, { name: 'startonly', driverClass: 'no-references' });
    const sub = new MmuNotifier({ invalidateRangeStart: (_task, _sub, range) => (range.blockable ? 0 : answer) }, 'startonly');
    device.answerFor(sub);
    await v(mmuNotifierRegister(t, sub, t.mm!));
    const a = await anonPages(m, t, 2);
    await v(t.mm!.mmapLock.downRead(t));
    await v(hmmRangeFault(m.mem, t, t.mm!, a, a + P));
    const h = device.establish(t, t.mm!, a, walkPfn(t, a));
    await v(t.mm!.mmapLock.upRead(t));
    const other = await start(t, a + P, a + 2 * P); // another task's bracket, elsewhere, in flight throughout
    const r: MmuNotifierRange = { mm: t.mm!, start: a, end: a + P, event: 'unmap', blockable: false, owner: null };
    reaper.enterNonBlock();
    t.mm!.rangesInFlight++;
    const got = await v(subscriptionsOf(t.mm!)!.invalidateRangeStart(reaper, r));
    expect(got).toBe(answer);
    if (got !== 0) t.mm!.rangesInFlight--; // a failed non-blockable start: its caller makes no end call
    expect(device.read(engine, h)).not.toBeInstanceOf(Promise);
    if (got === 0) await end(reaper, r);
    reaper.exitNonBlock();
    await end(t, other);
    return kinds(m);
  }

  it('fires when the start answered 0 and kept the translation', async () => {
    expect(await readAfterNonBlockableStart(0)).toEqual(['access-in-invalidation']);
  });

  it('stays quiet when the start answered -EAGAIN: the reaper does not go on, so no window opened', async () => {
    expect(await readAfterNonBlockableStart(EAGAIN)).toEqual([]);
  });
});

function walkPfn(t: Task, a: number): number {
  const vpn = Math.floor(a / P);
  return t.mm!.pageTable.lookup(vpn)!.word[vpn % 512]!;
}

describe('access-in-invalidation: an interval notifier opens a window only when its invalidate answered true', () => {
  /**
   * A dmirror-like driver over two pages; another task's blockable range over page 1 is
   * in flight (the interval sequence stays odd), and the OOM reaper's non-blockable
   * range over page 0 is answered `answer`; then the device reads page 0.
   */
  async function readPage0(bug: 'keeps-translations' | 'refuses-non-blockable'): Promise<string[]> {
    const m = new Machine({ era: 'v6', memory: { frames: 256 } });
    const app = m.mem.createProcess('app');
    const t = app.task('cpu0');
    const reaper = m.task('oom_reaper');
    const engine = m.task('engine');
    const drv = new IntervalDriver(m, t.mm!, bug);
    await drv.insert(t);
    const a = await anonPages(m, t, 2);
    await drv.read(t, a);
    const cpu1 = app.task('cpu1');
    const other = await start(cpu1, a + P, a + 2 * P);
    const r: MmuNotifierRange = { mm: t.mm!, start: a, end: a + P, event: 'unmap', blockable: false, owner: null };
    reaper.enterNonBlock();
    t.mm!.rangesInFlight++;
    const answer = await v(subscriptionsOf(t.mm!)!.invalidateRangeStart(reaper, r));
    expect(answer).toBe(bug === 'refuses-non-blockable' ? EAGAIN : 0);
    if (answer !== 0) t.mm!.rangesInFlight--;
    touch(drv, engine, drv.device.lookup(t.mm!, a));
    if (answer === 0) await end(reaper, r);
    reaper.exitNonBlock();
    await end(cpu1, other);
    return kinds(m);
  }

  it('fires when it answered true and kept the translation', async () => {
    expect(await readPage0('keeps-translations')).toEqual(['access-in-invalidation']);
  });

  it('stays quiet when it answered false (the reaper does not go on), even with the sequence odd from another range', async () => {
    expect(await readPage0('refuses-non-blockable')).toEqual([]);
  });
});

describe('access-in-invalidation: the 2008 eras ignore what a start answers', () => {
  it('v2.6.27: a start answering -EAGAIN still opens its window (the VM goes on), so a kept translation used there is reported', async () => {
    const m = new Machine({ era: 'v2.6.27', memory: { frames: 256 } });
    const t = m.mem.createProcess('app').task('cpu0');
    const engine = m.task('engine');
    const device = new DeviceMmu(m, { name: 'refuser', driverClass: 'no-references' });
    const sub = new MmuNotifier({ invalidateRangeStart: () => EAGAIN }, 'refuser');
    device.answerFor(sub);
    const target: { a: number } = { a: 0 };
    // Registered first, so called after the refuser's start returned.
    await v(mmuNotifierRegister(t, spy({ onStart: () => touch({ device }, engine, device.lookup(t.mm!, target.a)) }), t.mm!));
    await v(mmuNotifierRegister(t, sub, t.mm!));
    target.a = await anonPages(m, t);
    device.establish(t, t.mm!, target.a, walkPfn(t, target.a));
    await v(m.mem.madvise(t, target.a, P, 'dontneed'));
    expect(kinds(m)).toContain('access-in-invalidation');
    expect(kinds(m)).toContain('notifier-warn'); // the answer the 2008 API did not have
  });
});

describe('access-in-invalidation: what the report says', () => {
  it('names the access (read or write), the frame, the window, and the handle as its detail', async () => {
    const { m, t } = setup('v6');
    const engine = m.task('engine');
    const drv = new NoRefDriver(m, t.mm!, 'keeps-translations');
    const target: { a: number } = { a: 0 };
    await v(
      mmuNotifierRegister(
        t,
        spy({
          onStart: () => {
            const h = drv.device.lookup(t.mm!, target.a)!;
            expect(drv.device.read(engine, h)).not.toBeInstanceOf(Promise);
            expect(drv.device.write(engine, h, 7)).not.toBeInstanceOf(Promise);
          },
        }),
        t.mm!,
      ),
    );
    await register(t, drv);
    target.a = await anonPages(m, t);
    await drv.write(t, target.a, 5);
    const h = drv.device.lookup(t.mm!, target.a)!;
    await v(m.mem.madvise(t, target.a, P, 'dontneed'));
    const found = m.report.violations.filter((x) => x.kind === 'access-in-invalidation');
    const where = `at 0x${target.a.toString(16)} (mm ${t.mm!.id}, pfn ${h.pfn}) after noref's invalidate_range_start`;
    expect(found.map((x) => x.message.split('(0x')[0]!.replace(/\($/, ''))).toEqual([`noref: read ${where}`, `noref: write ${where}`]);
    expect(found.map((x) => x.details)).toEqual([[h.toString()], [h.toString()]]);
  });

  it('2008: an access through a translation invalidate_page revoked names that call and the handle', async () => {
    const { m, t } = setup('v2.6.27');
    const drv = new NoRefDriver(m, t.mm!, 'keeps-translations');
    await register(t, drv);
    const a = await anonPages(m, t);
    expect(await drv.read(t, a)).toBe(100);
    const h = drv.device.lookup(t.mm!, a)!;
    await v(m.mem.fork(t, 'child'));
    await v(m.mem.write(t, a, 200));
    await v(drv.device.read(t, h));
    const found = m.report.violations.filter((x) => x.kind === 'access-in-invalidation');
    expect(found.map((x) => x.message)).toEqual([`noref: read at 0x${a.toString(16)} (mm ${t.mm!.id}, pfn ${h.pfn}) through a translation invalidate_page(0x${a.toString(16)}) by cpu0 already invalidated (returned at 0 ns) — it had to be gone when that call returned`]);
    expect(found[0]!.details).toEqual([h.toString()]);
  });
});
