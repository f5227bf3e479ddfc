/**
 * The stale-read rule's baseline, "the CPU has written there since" (stale-baseline.ts):
 * a handle born while the process's page already lives elsewhere counts from the
 * start, even when that page holds 0; a move that keeps the data (migration) keeps the
 * record of a store; a store through any mapping of the process's frame counts for
 * every mm mapping it, not only the one it went through.
 */
import { MAP, migratePage, walkPageTable } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { DeviceMmu } from '../src/index.js';
import { P, RW, setup, v } from './support/helpers.js';
import { HoldsRefDriver, register } from './support/oracle-drivers.js';
import { anonPages, frameAt, kinds } from './support/oracle-helpers.js';

describe('stale-read baseline', () => {
  it('a handle established to the old frame while the process maps a page holding 0 counts from the start', async () => {
    const { m, t } = setup('v6');
    const mm = t.mm!;
    const dev = new DeviceMmu(m, { name: 'late', driverClass: 'holds-references' });
    const a = await anonPages(m, t);
    await v(mm.mmapLock.downRead(t));
    const [pfn] = await v(dev.getUserPages(t, mm, a, 1));
    await v(mm.mmapLock.upRead(t));
    await v(m.mem.fork(t, 'child'));
    await v(m.mem.write(t, a, 0)); // COW: the process's page is a copy now, holding 0
    const h = dev.establish(t, mm, a, pfn!);
    expect(await v(dev.read(t, h))).toBe(100);
    expect(kinds(m)).toEqual(['stale-read']);
    dev.drop(h);
    dev.putPage(t, pfn!);
  });

  it('a store before a migration still counts after it: the read through the old frame is stale', async () => {
    const { m, t } = setup('v6');
    const drv = new HoldsRefDriver(m, t.mm!, 'never-tears-down');
    await register(t, drv);
    const a = await anonPages(m, t);
    expect(await drv.read(t, a)).toBe(100);
    await v(m.mem.fork(t, 'child'));
    await v(m.mem.write(t, a, 200)); // COW: the process stores into its copy
    const copy = frameAt(t, a);
    await v(migratePage(m.mem, t, copy)); // the copy moves, its data with it
    expect(frameAt(t, a)).not.toBe(copy);
    const before = kinds(m).length;
    expect(await drv.read(t, a)).toBe(100);
    expect(kinds(m).slice(before)).toContain('stale-read');
  });

  it("a store through another process's mapping of the frame counts for this process's handle too", async () => {
    const { m, t } = setup('v6');
    const drv = new HoldsRefDriver(m, t.mm!, 'never-tears-down');
    await register(t, drv);
    const file = m.mem.createFile('f', P);
    const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: MAP.shared, file }));
    await v(m.mem.write(t, a, 5));
    expect(await drv.read(t, a)).toBe(5);
    const other = m.mem.createProcess('other').task('o0');
    const b = await v(m.mem.mmap(other, { length: P, prot: RW, flags: MAP.shared, file }));
    await v(m.mem.punchHole(t, file, 0, P)); // the file drops the device's page; the reference keeps it
    expect(await v(m.mem.read(t, a))).toBe(0); // a new page cache page, mapped here...
    expect(await v(m.mem.read(other, b))).toBe(0); // ...and there
    expect(walkPageTable(other.mm!, b)!.pfn).toBe(frameAt(t, a));
    await v(m.mem.write(other, b, 9)); // stored through the other process's mapping
    const before = kinds(m).length;
    expect(await drv.read(t, a)).toBe(5);
    expect(kinds(m).slice(before)).toContain('stale-read');
  });
});
