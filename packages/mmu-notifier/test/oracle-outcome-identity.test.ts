/**
 * The outcome rules wait for the primary only where the device's frame is still the
 * process's page: the swap-cache page a swap entry names, or the frame a migration
 * entry names. A write to any other frame behind such an entry is lost at once. A rule
 * that deferred every write behind an entry would report it late, or never. A stale
 * read behind a migration entry names the migration and the frame the entry names.
 */
import { configureSwap, migratePage, setPageDirty } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { setup, v } from './support/helpers.js';
import { mmuNotifierRegister } from '../src/index.js';
import { HoldsRefDriver, register, spy } from './support/oracle-drivers.js';
import { anonPages, frameAt, kinds, messages, reclaim } from './support/oracle-helpers.js';

describe('lost write behind a swap entry', () => {
  it('fires at once for a write to a frame that is not the swap-cache page the entry names', async () => {
    const { m, t } = setup('v2.6.27');
    configureSwap(m.mem, 16);
    const old = new HoldsRefDriver(m, t.mm!, 'never-tears-down', true, 'old');
    const now = new HoldsRefDriver(m, t.mm!, 'never-tears-down', true, 'now');
    await register(t, old);
    await register(t, now);
    const a = await anonPages(m, t);
    await old.write(t, a, 1); // `old` pins the first frame
    await v(m.mem.fork(t, 'child'));
    await v(m.mem.write(t, a, 2)); // COW: the process moves to a copy
    const copy = frameAt(t, a);
    expect(await now.read(t, a)).toBe(2); // `now` pins the copy
    expect((await reclaim(m, copy)).at(-1)).toBe('keep'); // swapped out, kept in the swap cache by the pin
    expect(frameAt(t, a)).toBe(-1);
    expect(kinds(m)).toEqual([]);
    await old.write(t, a, 3);
    expect(kinds(m)).toEqual(['lost-write']);
    expect(messages(m, 'lost-write')[0]).toMatch(/the page was swapped out \(slot \d+\) and pfn \d+ is not its swap-cache page/);
  });

  it('waits when the frame is the swap-cache page (the same workload through the driver that pins it)', async () => {
    const { m, t } = setup('v2.6.27');
    configureSwap(m.mem, 16);
    const drv = new HoldsRefDriver(m, t.mm!, 'never-tears-down', true);
    await register(t, drv);
    const a = await anonPages(m, t);
    await drv.write(t, a, 1);
    expect((await reclaim(m, frameAt(t, a))).at(-1)).toBe('keep');
    await drv.write(t, a, 3);
    expect(kinds(m)).toEqual([]);
    expect(await v(m.mem.read(t, a))).toBe(3);
    expect(kinds(m)).toEqual([]);
  });
});

describe('lost write behind a migration entry', () => {
  it('fires at once for a write to a frame other than the one the entry names', async () => {
    const { m, t } = setup('v6');
    const engine = m.task('engine');
    const old = new HoldsRefDriver(m, t.mm!, 'never-tears-down', false, 'old');
    const during: { a: number; on: boolean } = { a: 0, on: false };
    // Registered first: its end runs after the driver's, once the migration entry is in place.
    await v(mmuNotifierRegister(t, spy({ onEnd: () => void (during.on && old.device.write(engine, old.device.lookup(t.mm!, during.a)!, 3)) }), t.mm!));
    await register(t, old);
    during.a = await anonPages(m, t);
    await old.write(t, during.a, 1); // `old` holds a reference on the first frame (not a pin: fork shares it)
    await v(m.mem.fork(t, 'child'));
    await v(m.mem.write(t, during.a, 2)); // COW: the process moves to a copy, `old` keeps the first frame
    expect(kinds(m)).toEqual([]);
    during.on = true;
    await v(migratePage(m.mem, t, frameAt(t, during.a)));
    expect(kinds(m)).toEqual(['lost-write']);
    expect(messages(m, 'lost-write')[0]).toMatch(/the page is migrating from pfn \d+, not pfn \d+: the process will never see it/);
  });
});

describe('stale read behind a migration entry', () => {
  it('names the migration and the frame the entry names', async () => {
    const { m, t } = setup('v6');
    const engine = m.task('engine');
    const old = new HoldsRefDriver(m, t.mm!, 'never-tears-down', false, 'old');
    const during: { a: number; on: boolean; seen: number } = { a: 0, on: false, seen: -1 };
    // Registered first: its end runs after the driver's, once the migration entry is in place.
    await v(mmuNotifierRegister(t, spy({ onEnd: () => void (during.on && (during.seen = old.device.read(engine, old.device.lookup(t.mm!, during.a)!) as number)) }), t.mm!));
    await register(t, old);
    during.a = await anonPages(m, t);
    await old.write(t, during.a, 1); // `old` holds a reference on the first frame
    await v(m.mem.fork(t, 'child'));
    await v(m.mem.write(t, during.a, 2)); // COW: the process moves to a copy and writes it
    const copy = frameAt(t, during.a);
    expect(kinds(m)).toEqual([]);
    during.on = true;
    await v(migratePage(m.mem, t, copy));
    expect(during.seen).toBe(1);
    // The read also uses a translation the driver kept past its end: revoked-translation too.
    expect(kinds(m)).toEqual(['stale-read', 'revoked-translation']);
    expect(messages(m, 'stale-read')[0]).toMatch(new RegExp(`returned 0x1, but the process is migrating its page there \\(pfn ${copy}\\), written since to 0x2$`));
  });
});

describe('lost write decided when the swap entry is mapped again', () => {
  /** A 2008 driver's write into the swap-cache page, then its reference dropped with or without set_page_dirty, then reclaim and a CPU read. */
  async function writeIntoSwapCache(dirty: boolean): Promise<{ kinds: string[]; seen: number; message: string | undefined }> {
    const { m, t } = setup('v2.6.27');
    configureSwap(m.mem, 16);
    const drv = new HoldsRefDriver(m, t.mm!, 'never-tears-down');
    await register(t, drv);
    const a = await anonPages(m, t);
    await drv.write(t, a, 1);
    const pfn = frameAt(t, a);
    expect((await reclaim(m, pfn)).at(-1)).toBe('keep'); // the slot holds 1; the reference keeps the page cached
    await drv.write(t, a, 5); // into the swap-cache page: the verdict waits
    expect(kinds(m)).toEqual([]);
    // The driver lets go, as a buggy one might: without set_page_dirty unless `dirty`.
    const h = drv.device.lookup(t.mm!, a)!;
    if (dirty && drv.device.testAndClearDirty(h)) setPageDirty(m.mem, pfn);
    drv.device.drop(h);
    drv.device.putPage(t, pfn);
    expect((await reclaim(m, pfn)).at(-1)).toBe('freed');
    const seen = await v(m.mem.read(t, a));
    return { kinds: kinds(m), seen, message: messages(m, 'lost-write')[0] };
  }

  it('fires at swap-in when the page went back clean: the write never reached the slot', async () => {
    const r = await writeIntoSwapCache(false);
    expect(r.seen).toBe(1);
    expect(r.kinds).toEqual(['lost-write']);
    expect(r.message).toMatch(/write of 0x5 at .* while the primary had a swap entry there, is lost: the process now maps pfn \d+ \(swapin\) holding 0x1/);
  });

  it('stays quiet when the driver dirtied the page first: reclaim wrote it to the slot', async () => {
    const r = await writeIntoSwapCache(true);
    expect(r.seen).toBe(5);
    expect(r.kinds).toEqual([]);
  });
});
