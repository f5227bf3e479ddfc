/**
 * A device write into the swap-cache page behind a swap entry waits for its verdict
 * (`PendingWrites`): the latest write per page and frame only (an earlier one was
 * overwritten in the frame, not lost), judged when a frame is mapped there again, and
 * dropped without a verdict when the process throws the page away. (The verdict at
 * swap-in, lost or kept, is in oracle-outcome-identity.test.ts.)
 */
import { configureSwap, migratePage, PROT } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { P, setup, v } from './support/helpers.js';
import { mmuNotifierRegister } from '../src/index.js';
import { HoldsRefDriver, NoRefDriver, register, spy } from './support/oracle-drivers.js';
import { anonPages, frameAt, kinds, messages, reclaim } from './support/oracle-helpers.js';

/** A 2008 driver pins page `a` (written 1), reclaim swaps it out and keeps it cached, then the device writes `values` into the swap-cache page. */
async function writesBehindSwapEntry(values: readonly number[]) {
  const { m, t } = setup('v2.6.27');
  configureSwap(m.mem, 16);
  const drv = new HoldsRefDriver(m, t.mm!, 'never-tears-down', true);
  await register(t, drv);
  const a = await anonPages(m, t, 2);
  await drv.write(t, a, 1);
  const pfn = frameAt(t, a);
  expect((await reclaim(m, pfn)).at(-1)).toBe('keep');
  expect(frameAt(t, a)).toBe(-1);
  for (const value of values) await drv.write(t, a, value);
  expect(kinds(m)).toEqual([]);
  return { m, t, drv, a, pfn };
}

/** Let the page go without `set_page_dirty`, as a buggy driver might, so reclaim frees it clean. */
async function dropClean(r: Awaited<ReturnType<typeof writesBehindSwapEntry>>): Promise<void> {
  const h = r.drv.device.lookup(r.t.mm!, r.a)!;
  r.drv.device.drop(h);
  await v(r.drv.device.unpinUserPage(r.t, r.pfn));
  expect((await reclaim(r.m, r.pfn)).at(-1)).toBe('freed');
}

describe('pending device writes behind a swap entry', () => {
  it('judges only the latest write to the frame: one lost-write, naming the last value', async () => {
    const r = await writesBehindSwapEntry([5, 6]);
    await dropClean(r);
    expect(await v(r.m.mem.read(r.t, r.a))).toBe(1);
    expect(kinds(r.m)).toEqual(['lost-write']);
    expect(messages(r.m, 'lost-write')[0]).toMatch(/: write of 0x6 at 0x[0-9a-f]+ \(mm \d+\) to pfn \d+ at \d+ ns, while the primary had a swap entry there, is lost: the process now maps pfn \d+ \(swapin\) holding 0x1$/);
    expect(r.m.report.violations[0]!.details).toEqual([r.drv.device.lookup(r.t.mm!, r.a)?.toString() ?? expect.any(String)]);
  });

  it('stays quiet when the process maps the swap-cache page itself again', async () => {
    const r = await writesBehindSwapEntry([5, 6]);
    expect(await v(r.m.mem.read(r.t, r.a))).toBe(6);
    expect(frameAt(r.t, r.a)).toBe(r.pfn);
    expect(kinds(r.m)).toEqual([]);
  });

  it('drops the pending write without a verdict when the process unmaps the page', async () => {
    const r = await writesBehindSwapEntry([5]);
    await v(r.m.mem.munmap(r.t, r.a, P));
    expect(kinds(r.m)).toEqual([]);
  });

  it('judges a page apart from its neighbour: a pending write on page 0 is not settled by page 1', async () => {
    const r = await writesBehindSwapEntry([5]);
    await v(r.m.mem.munmap(r.t, r.a + P, P)); // a PTE event at page 1, none at page 0
    await dropClean(r);
    expect(await v(r.m.mem.read(r.t, r.a))).toBe(1);
    expect(kinds(r.m)).toEqual(['lost-write']);
  });

  it('settles a write behind a migration entry when the page is mapped again: a later PTE change there judges nothing', async () => {
    const { m, t } = setup('v6');
    const engine = m.task('engine');
    const drv = new NoRefDriver(m, t.mm!, 'keeps-translations');
    let a = -1;
    let armed = false;
    // Registered first: its end runs after the driver's, once the migration entry is in place.
    const onEnd = (): void => {
      if (!armed) return;
      armed = false;
      expect(drv.device.write(engine, drv.device.lookup(t.mm!, a)!, 5)).toBeUndefined();
    };
    await v(mmuNotifierRegister(t, spy({ onEnd }), t.mm!));
    await register(t, drv);
    a = await anonPages(m, t);
    await drv.write(t, a, 1);
    const old = frameAt(t, a);
    armed = true;
    await v(migratePage(m.mem, t, old)); // the write goes to the frame the entry names, before the copy
    expect(armed).toBe(false);
    expect(await v(m.mem.read(t, a))).toBe(5);
    await v(m.mem.write(t, a, 7));
    await v(m.mem.mprotect(t, a, P, PROT.read)); // a PTE event at the page, keeping the new frame
    expect(messages(m, 'lost-write')).toEqual([]);
  });
});
