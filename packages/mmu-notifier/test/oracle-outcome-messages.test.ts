/**
 * What each outcome report says, exactly: the access, the frame's state now, why it is
 * a use-after-free, where the process's page went, and the handle as the report's
 * detail. A driver author reads these lines first; a report that lost its "free", its
 * slot or its handle would still fire and still pass the broader tests.
 */
import { configureSwap, PROT, type Era, type Machine, type Mm, type Task, type Violation } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { DeviceMmu } from '../src/index.js';
import { P, setup, v } from './support/helpers.js';
import { HoldsRefDriver, NoRefDriver, register } from './support/oracle-drivers.js';
import { anonPages, frameAt, kinds, reclaim } from './support/oracle-helpers.js';

async function withDriver<D extends NoRefDriver | HoldsRefDriver>(make: (m: Machine, mm: Mm) => D, era: Era = 'v6', swapSlots = 0): Promise<{ m: Machine; t: Task; drv: D; a: number }> {
  const { m, t } = setup(era);
  if (swapSlots > 0) configureSwap(m.mem, swapSlots);
  const drv = make(m, t.mm!);
  await register(t, drv);
  return { m, t, drv, a: await anonPages(m, t) };
}

const only = (m: Machine, kind: string): Violation => {
  const found = m.report.violations.filter((x) => x.kind === kind);
  expect(found).toHaveLength(1);
  return found[0]!;
};
const hex = (n: number): string => `0x${n.toString(16)}`;

describe('use-after-free: the access and the frame as they are now', () => {
  it('a read through a frame freed and not yet reused: "read", "freed since (now free)", the handle first in the details', async () => {
    const { m, t, drv, a } = await withDriver((m, mm) => new NoRefDriver(m, mm, 'keeps-translations'));
    expect(await drv.read(t, a)).toBe(100);
    const h = drv.device.lookup(t.mm!, a)!;
    const pfn = h.pfn;
    await v(m.mem.munmap(t, a, P));
    await v(drv.device.read(t, h));
    const r = only(m, 'use-after-free');
    expect(r.message).toBe(`noref: read at ${hex(a)} (mm ${t.mm!.id}) through pfn ${pfn} generation ${h.generation}: the frame was freed since (now free)`);
    expect(r.details![0]).toBe(h.toString());
  });

  it('an access through a translation established to a free frame says so', async () => {
    const { m, t } = setup('v6');
    const dev = new DeviceMmu(m, { name: 'gru0', driverClass: 'no-references' });
    const a = await anonPages(m, t);
    const pfn = frameAt(t, a);
    await v(m.mem.munmap(t, a, P));
    const h = dev.establish(t, t.mm!, a, pfn);
    await v(dev.read(t, h));
    const reads = m.report.violations.filter((x) => x.kind === 'use-after-free' && x.message.startsWith('gru0: read'));
    expect(reads.map((x) => x.message)).toEqual([`gru0: read at ${hex(a)} (mm ${t.mm!.id}) through pfn ${pfn} generation ${h.generation}: the frame was already free when the translation was established`]);
  });
});

describe('stale read: where the process\'s page went', () => {
  /** The device keeps the first frame; the process copies the page at fork and writes 200 to its copy. */
  async function deviceKeepsOld(era: Era, swapSlots = 0) {
    const w = await withDriver((m, mm) => new HoldsRefDriver(m, mm, 'never-tears-down'), era, swapSlots);
    expect(await w.drv.read(w.t, w.a)).toBe(100);
    await v(w.m.mem.fork(w.t, 'child'));
    await v(w.m.mem.write(w.t, w.a, 200));
    return w;
  }

  it('names the handle in the details', async () => {
    const { m, t, drv, a } = await deviceKeepsOld('v6');
    expect(await drv.read(t, a)).toBe(100);
    expect(only(m, 'stale-read').details).toEqual([drv.device.lookup(t.mm!, a)!.toString()]);
  });

  it('a page swapped out since: names its slot', async () => {
    const { m, t, drv, a } = await deviceKeepsOld('v2.6.27', 16);
    const copy = frameAt(t, a);
    expect((await reclaim(m, copy)).at(-1)).toBe('freed');
    const h = drv.device.lookup(t.mm!, a)!;
    await v(drv.device.read(t, h));
    expect(only(m, 'stale-read').message).toMatch(new RegExp(`returned 0x64, but the process swapped its page there out \\(slot \\d+\\), written since to 0xc8$`));
  });

  it('a page the process no longer maps at all is not stale: nothing is there to be newer', async () => {
    const { m, t, drv, a } = await deviceKeepsOld('v6');
    const h = drv.device.lookup(t.mm!, a)!;
    await v(m.mem.munmap(t, a, P));
    await v(drv.device.read(t, h));
    expect(kinds(m).filter((k) => k === 'stale-read')).toEqual([]);
  });
});

describe('lost write and write through read-only: the handle in the details', () => {
  it('a write to the frame the process left behind at COW', async () => {
    const { m, t, drv, a } = await withDriver((m, mm) => new HoldsRefDriver(m, mm, 'never-tears-down'));
    await drv.write(t, a, 1);
    await v(m.mem.fork(t, 'child'));
    await v(m.mem.write(t, a, 2));
    await drv.write(t, a, 3);
    expect(only(m, 'lost-write').details).toEqual([drv.device.lookup(t.mm!, a)!.toString()]);
  });

  it('a write after munmap, where the process maps nothing', async () => {
    const { m, t, drv, a } = await withDriver((m, mm) => new HoldsRefDriver(m, mm, 'never-tears-down', true));
    await drv.write(t, a, 1);
    const h = drv.device.lookup(t.mm!, a)!;
    await v(m.mem.munmap(t, a, P));
    await v(drv.device.write(t, h, 2));
    expect(only(m, 'lost-write').details).toEqual([h.toString()]);
  });

  it('a write where the CPU mapping is read-only', async () => {
    const { m, t, drv, a } = await withDriver((m, mm) => new NoRefDriver(m, mm, 'ignores-permission'));
    await v(m.mem.mprotect(t, a, P, PROT.read));
    expect(await drv.read(t, a)).toBe(100);
    await drv.write(t, a, 1);
    expect(only(m, 'write-through-read-only').details).toEqual([drv.device.lookup(t.mm!, a)!.toString()]);
  });
});
