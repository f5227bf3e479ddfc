/**
 * A pending device write behind a swap entry whose swap-cache page reclaim drops clean
 * (the device never marked it dirty) never reached the slot: the next swap-cache page,
 * read back from the slot, is another page for it — even in the same frame allocated
 * again. A later device write into that new page waits on its own, beside the first;
 * when the process maps a page again, each is judged against the frame it went to.
 */
import { configureSwap, getUserPages, putPage, type Machine, type Task } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { DeviceMmu } from '../src/index.js';
import { P, setup, v } from './support/helpers.js';
import { anonPages, frameAt, kinds, messages, reclaim } from './support/oracle-helpers.js';

interface Frame {
  pfn: number;
  generation: number;
}

interface Dropped {
  m: Machine;
  t: Task;
  a: number;
  dev: DeviceMmu;
  /** The swap-cache frames (and their generations then) the device wrote 5 and then 7 into, through the parent's address. */
  first: Frame;
  second: Frame;
}

/**
 * A page swapped out; twice, a forked child swaps it in and unmaps it again, holding a
 * reference meanwhile, so reclaim writes the page to its slot and keeps it — clean, in
 * the swap cache behind the parent's swap entry, mapped by nobody; the device writes
 * into it through the parent's address (5, then 7); the reference is given back and
 * reclaim drops the page clean: the slot keeps 100.
 */
async function twoPendingFrames(reuse: boolean): Promise<Dropped> {
  const { m, t } = setup('v6');
  configureSwap(m.mem, 16);
  const a = await anonPages(m, t);
  expect((await reclaim(m, frameAt(t, a))).at(-1)).toBe('freed');
  const dev = new DeviceMmu(m, { name: 'dev', driverClass: 'no-references' });
  const written: Frame[] = [];
  for (const value of [5, 7]) {
    const cached = await swapCachedClean(m, t, a, `child${value}`);
    const h = dev.establish(t, t.mm!, a, cached, { writable: true });
    await v(dev.write(t, h, value)); // behind the parent's swap entry: pending
    dev.drop(h);
    written.push({ pfn: cached, generation: m.mem.frames.generation[cached]! });
    putPage(m.mem, t, cached);
    expect((await reclaim(m, cached)).at(-1)).toBe('freed'); // dropped clean: the slot keeps 100
    if (!reuse) await anonPages(m, t); // takes the frame just freed, so the next swap-in gets another
  }
  expect(kinds(m)).toEqual([]);
  return { m, t, a, dev, first: written[0]!, second: written[1]! };
}

/**
 * A child forked now swaps the parent's page at `a` in from its slot (100), takes a
 * reference (returned: the caller gives it back) and unmaps it; reclaim then writes it
 * to the slot and keeps it in the swap cache, clean.
 */
async function swapCachedClean(m: Machine, t: Task, a: number, name: string): Promise<number> {
  const child = (await v(m.mem.fork(t, name))).task(`${name}:0`);
  expect(await v(m.mem.read(child, a))).toBe(100);
  const mm = child.mm!;
  await v(mm.mmapLock.downRead(child));
  const [cached] = await v(getUserPages(m.mem, child, mm, a, 1));
  await v(mm.mmapLock.upRead(child));
  await v(m.mem.munmap(child, a, P));
  expect((await reclaim(m, cached!, { max: 1 })).at(-1)).toBe('keep');
  expect(frameAt(t, a)).toBe(-1);
  return cached!;
}

describe('pending device writes: the swap-cache page dropped clean between two writes', () => {
  it('both writes are lost when the process swaps the page in from the slot', async () => {
    const { m, t, a, first, second } = await twoPendingFrames(false);
    const gen = m.mem.frames.generation;
    expect(first.pfn).not.toBe(second.pfn);
    // A frame freed once: the swap-in takes it, at the generation the first write's frame had.
    const spare = await anonPages(m, t);
    await v(m.mem.munmap(t, spare, P));
    expect(await v(m.mem.read(t, a))).toBe(100);
    const now = frameAt(t, a);
    expect([first.pfn, second.pfn]).not.toContain(now);
    expect(gen[now]).toBe(first.generation);
    const lost = messages(m, 'lost-write');
    const at = (value: number) => `dev: write of 0x${value} at 0x${a.toString(16)} (mm ${t.mm!.id})`;
    expect(lost).toEqual([
      `${at(5)} to pfn ${first.pfn} at 0 ns, while the primary had a swap entry there, is lost: the process now maps pfn ${now} (swapin) holding 0x64`,
      `${at(7)} to pfn ${second.pfn} at 0 ns, while the primary had a swap entry there, is lost: the process now maps pfn ${now} (swapin) holding 0x64`,
    ]);
    expect(kinds(m)).toEqual(['lost-write', 'lost-write']);
  });

  it('both are lost when the second went to the same frame allocated again (another page)', async () => {
    const { m, t, a, first, second } = await twoPendingFrames(true);
    expect(second.pfn).toBe(first.pfn);
    expect(second.generation).not.toBe(first.generation);
    expect(await v(m.mem.read(t, a))).toBe(100);
    expect(messages(m, 'lost-write').map((x) => x.slice(0, x.indexOf(' at 0x')))).toEqual(['dev: write of 0x5', 'dev: write of 0x7']);
  });

  it('only the earlier ones are lost when the process maps the frame the latest went to', async () => {
    const { m, t, a, dev } = await twoPendingFrames(false);
    const third = await swapCachedClean(m, t, a, 'child9');
    const h = dev.establish(t, t.mm!, a, third, { writable: true });
    await v(dev.write(t, h, 9)); // a third pending frame
    dev.drop(h);
    putPage(m.mem, t, third);
    expect(await v(m.mem.read(t, a))).toBe(9);
    expect(frameAt(t, a)).toBe(third);
    expect(messages(m, 'lost-write').map((x) => x.slice(0, x.indexOf(' at 0x')))).toEqual(['dev: write of 0x5', 'dev: write of 0x7']);
  });
});
