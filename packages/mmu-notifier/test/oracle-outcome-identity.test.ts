/**
 * The outcome rules wait for the primary only where the device's frame is still the
 * process's page: the swap-cache page a swap entry names, or the frame a migration
 * entry names. A write to any other frame behind such an entry is lost at once. A rule
 * that deferred every write behind an entry would report it late, or never.
 */
import { configureSwap } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { setup, v } from './support/helpers.js';
import { HoldsRefDriver, register } from './support/oracle-drivers.js';
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
