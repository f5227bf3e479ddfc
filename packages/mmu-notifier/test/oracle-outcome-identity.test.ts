/**
 * The outcome rules wait for the primary only where the device's frame is still the
 * process's page: the swap-cache page a swap entry names, or the frame a migration
 * entry names. A write to any other frame behind such an entry is lost at once. A rule
 * that deferred every write behind an entry would report it late, or never.
 */
import { configureSwap, migratePage } from '@secondary-mmu/core-mm';
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
