/**
 * Which window an `invalidate_range_end` closes, and when a window counts as closed
 * without one: an end closes its own bracket only (same mm, task, range and event); a
 * subscriber without `end` loses its window at the bracket's first end to anyone, or once
 * no bracket is in flight; an interval window closes when the sequence moves on, even
 * with another range in flight. Each case reads through a kept translation where the
 * window must be open and where it must not.
 */
import { Machine, type Mm, type MmuNotifierEvent, type MmuNotifierRange, type Task } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { DeviceMmu, MmuNotifier, mmuNotifierRegister, subscriptionsOf, type DeviceTranslation } from '../src/index.js';
import { P, v } from './support/helpers.js';
import { IntervalDriver, NoRefDriver, register, spy } from './support/oracle-drivers.js';
import { anonPages, frameAt, messages } from './support/oracle-helpers.js';

const hex = (x: number): string => `0x${x.toString(16)}`;

function range(mm: Mm, first: number, last: number, event: MmuNotifierEvent = 'clear'): MmuNotifierRange {
  return { mm, start: first, end: last, event, blockable: true, owner: null };
}

/** A kernel call site's start, by hand: counted in flight, then every subscriber's start. */
async function open(t: Task, r: MmuNotifierRange): Promise<void> {
  r.mm.rangesInFlight++;
  expect(await v(subscriptionsOf(r.mm)!.invalidateRangeStart(t, r))).toBe(0);
}

async function close(t: Task, r: MmuNotifierRange): Promise<void> {
  await v(subscriptionsOf(r.mm)!.invalidateRangeEnd(t, r));
  r.mm.rangesInFlight--;
}

/** A device read through `h` that must not suspend. */
function touch(device: DeviceMmu, engine: Task, h: DeviceTranslation | undefined): void {
  expect(h).toBeDefined();
  expect(device.read(engine, h!)).not.toBeInstanceOf(Promise);
}

/** A v6 machine with one process and two of its tasks. */
function setup(): { m: Machine; t: Task; t2: Task } {
  const m = new Machine({ era: 'v6', memory: { frames: 256 } });
  const app = m.mem.createProcess('app');
  return { m, t: app.task('cpu0'), t2: app.task('cpu1') };
}

const found = (m: Machine): string[] => messages(m, 'access-in-invalidation');

/** A start-only driver (no `end`) keeping its translation of `a`, established by hand. */
async function startOnly(m: Machine, t: Task, name = 'startonly'): Promise<{ device: DeviceMmu; h: (a: number) => DeviceTranslation }> {
  const device = new DeviceMmu(m, { name, driverClass: 'no-references' });
  const sub = new MmuNotifier({ invalidateRangeStart: () => 0 }, name);
  device.answerFor(sub);
  await v(mmuNotifierRegister(t, sub, t.mm!));
  return { device, h: (a) => device.establish(t, t.mm!, a, frameAt(t, a)) };
}

describe('an end closes the window of its own bracket, not a newer one that differs in one field', () => {
  /**
   * A driver with an `end`, keeping its translations of two pages: bracket `older` opens,
   * then `newer`, then `older` ends; the device reads `page`. Returns what was reported.
   */
  async function afterOlderEnds(pick: (m: Machine, t: Task, t2: Task, a: number) => [older: MmuNotifierRange, olderTask: Task, newer: MmuNotifierRange, page: number]): Promise<{ a: number; said: string[] }> {
    const { m, t, t2 } = setup();
    const engine = m.task('engine');
    const drv = new NoRefDriver(m, t.mm!, 'keeps-translations');
    await register(t, drv);
    const a = await anonPages(m, t, 2);
    await drv.read(t, a);
    await drv.read(t, a + P);
    const [older, olderTask, newer, page] = pick(m, t, t2, a);
    await open(olderTask, older);
    await open(t, newer);
    await close(olderTask, older);
    touch(drv.device, engine, drv.device.lookup(t.mm!, page));
    return { a, said: found(m) };
  }

  it('another task: the newer bracket stays open', async () => {
    const { a, said } = await afterOlderEnds((_m, t, t2, a) => [range(t.mm!, a, a + P), t2, range(t.mm!, a, a + P), a]);
    expect(said).toHaveLength(1);
    expect(said[0]).toContain(`noref's invalidate_range_start(${hex(a)}-${hex(a + P)}, clear) by cpu0 at`);
  });

  it('another start: the newer bracket stays open', async () => {
    const { a, said } = await afterOlderEnds((_m, t, _t2, a) => [range(t.mm!, a, a + 2 * P), t, range(t.mm!, a + P, a + 2 * P), a + P]);
    expect(said).toHaveLength(1);
    expect(said[0]).toContain(`invalidate_range_start(${hex(a + P)}-${hex(a + 2 * P)}, clear) by cpu0`);
  });

  it('another end: the newer bracket stays open', async () => {
    const { a, said } = await afterOlderEnds((_m, t, _t2, a) => [range(t.mm!, a, a + 2 * P), t, range(t.mm!, a, a + P), a]);
    expect(said).toHaveLength(1);
    expect(said[0]).toContain(`invalidate_range_start(${hex(a)}-${hex(a + P)}, clear) by cpu0`);
  });

  it('another event: the newer bracket stays open', async () => {
    const { a, said } = await afterOlderEnds((_m, t, _t2, a) => [range(t.mm!, a, a + P, 'unmap'), t, range(t.mm!, a, a + P, 'clear'), a]);
    expect(said).toHaveLength(1);
    expect(said[0]).toContain(`invalidate_range_start(${hex(a)}-${hex(a + P)}, clear) by cpu0`);
  });

  it('the older bracket itself ended: a page only it covered is quiet', async () => {
    const { said } = await afterOlderEnds((_m, t, _t2, a) => [range(t.mm!, a, a + P), t, range(t.mm!, a + P, a + 2 * P), a]);
    expect(said).toEqual([]);
  });
});

describe('a subscriber without end: its window closes at the first end of its bracket, on its own mm', () => {
  it("an end of an identical bracket on another mm leaves it open", async () => {
    const { m, t } = setup();
    const engine = m.task('engine');
    const other = m.mem.createProcess('other').task('other:0');
    const mine = await startOnly(m, t);
    await v(mmuNotifierRegister(other, spy({}), other.mm!)); // gives the other mm's bracket an end call
    const a = await anonPages(m, t);
    const h = mine.h(a);
    await open(t, range(t.mm!, a, a + P));
    await v(subscriptionsOf(other.mm!)!.invalidateRangeEnd(t, range(other.mm!, a, a + P)));
    touch(mine.device, engine, h);
    expect(found(m)).toHaveLength(1);
  });

  it("the end of its bracket to another subscriber closes it, though another bracket is still in flight", async () => {
    const { m, t } = setup();
    const engine = m.task('engine');
    const mine = await startOnly(m, t);
    await v(mmuNotifierRegister(t, spy({}), t.mm!));
    const a = await anonPages(m, t, 2);
    const h = mine.h(a);
    await open(t, range(t.mm!, a + P, a + 2 * P)); // elsewhere, in flight throughout
    const r = range(t.mm!, a, a + P);
    await open(t, r);
    touch(mine.device, engine, h);
    expect(found(m)).toHaveLength(1);
    await close(t, r);
    touch(mine.device, engine, h);
    expect(found(m)).toHaveLength(1);
  });

  it('with no end call at all, it closes once no bracket is in flight', async () => {
    const { m, t } = setup();
    const engine = m.task('engine');
    const mine = await startOnly(m, t);
    const a = await anonPages(m, t);
    const h = mine.h(a);
    const r = range(t.mm!, a, a + P);
    await open(t, r);
    touch(mine.device, engine, h);
    expect(found(m)).toHaveLength(1);
    await close(t, r); // nobody has an end: only the count drops
    touch(mine.device, engine, h);
    expect(found(m)).toHaveLength(1);
  });
});

describe('an interval window closes when the sequence moves on', () => {
  it('even while a later range (elsewhere) is in flight', async () => {
    const { m, t } = setup();
    const engine = m.task('engine');
    const drv = new IntervalDriver(m, t.mm!, 'keeps-translations');
    await drv.insert(t);
    const a = await anonPages(m, t, 2);
    await drv.read(t, a);
    await drv.read(t, a + P);
    const first = range(t.mm!, a, a + P);
    await open(t, first);
    await close(t, first);
    await open(t, range(t.mm!, a + P, a + 2 * P));
    touch(drv.device, engine, drv.device.lookup(t.mm!, a)); // its window closed with the first range
    expect(found(m)).toEqual([]);
    touch(drv.device, engine, drv.device.lookup(t.mm!, a + P));
    expect(found(m)).toHaveLength(1);
    expect(found(m)[0]).toContain(`dmirror's interval invalidate(${hex(a + P)}-${hex(a + 2 * P)}, clear)`);
  });
});

describe('the window a report names', () => {
  it('is the newest of the subscriber covering the page', async () => {
    const { m, t, t2 } = setup();
    const engine = m.task('engine');
    const drv = new NoRefDriver(m, t.mm!, 'keeps-translations');
    await register(t, drv);
    const a = await anonPages(m, t);
    await drv.read(t, a);
    await open(t2, range(t.mm!, a, a + P));
    await open(t, range(t.mm!, a, a + P));
    touch(drv.device, engine, drv.device.lookup(t.mm!, a));
    expect(found(m)).toHaveLength(1);
    expect(found(m)[0]).toContain('by cpu0 at');
  });

  it('covers its pages only: the page just past its end is quiet', async () => {
    const { m, t } = setup();
    const engine = m.task('engine');
    const drv = new NoRefDriver(m, t.mm!, 'keeps-translations');
    await register(t, drv);
    const a = await anonPages(m, t, 2);
    await drv.read(t, a);
    await drv.read(t, a + P);
    await open(t, range(t.mm!, a, a + P));
    touch(drv.device, engine, drv.device.lookup(t.mm!, a + P));
    expect(found(m)).toEqual([]);
    touch(drv.device, engine, drv.device.lookup(t.mm!, a));
    expect(found(m)).toHaveLength(1);
  });
});

describe('many windows', () => {
  it('an open window survives the pruning of 63 closed ones', async () => {
    const { m, t } = setup();
    const engine = m.task('engine');
    const other = m.mem.createProcess('other').task('other:0');
    const drv = new NoRefDriver(m, t.mm!, 'keeps-translations');
    await register(t, drv);
    const theirs = await startOnly(m, other, 'theirs');
    const a = await anonPages(m, t);
    await drv.read(t, a);
    await open(t, range(t.mm!, a, a + P)); // the first window, open throughout
    const b = await anonPages(m, other);
    for (let i = 0; i < 64; i++) {
      const r = range(other.mm!, b, b + P);
      await open(other, r);
      await close(other, r); // no end to call: the window closes by the count, and stays listed
    }
    expect(theirs.device.name).toBe('theirs');
    touch(drv.device, engine, drv.device.lookup(t.mm!, a));
    expect(found(m)).toHaveLength(1);
  });
});
