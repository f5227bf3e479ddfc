/**
 * The late-secondary-flush rule (late-flush.ts) reports a device TLB entry once, at the
 * first site the flush came too late for, and judges only devices sharing the CPU page
 * table: a device with its own page table holding a frame past its free is another
 * rule's business (use-after-free), not a late flush.
 */
import { PROT } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { DeviceMmu } from '../src/index.js';
import { P, setup, v } from './support/helpers.js';
import { NoRefDriver, register, SharedTlbDriver } from './support/oracle-drivers.js';
import { anonPages, frameAt, kinds } from './support/oracle-helpers.js';

describe('late-secondary-flush', () => {
  it('reports an entry once: the PTE moved (COW), then the old frame is freed', async () => {
    const { m, t } = setup('v6');
    const drv = new SharedTlbDriver(m, t.mm!, 'defers-flush');
    await register(t, drv);
    const a = await anonPages(m, t);
    expect(await drv.read(t, a)).toBe(100);
    const h = drv.device.lookup(t.mm!, a)!;
    const child = await v(m.mem.fork(t, 'child'));
    await v(m.mem.write(t, a, 200)); // the parent moves to a copy: late, reported
    expect(kinds(m)).toEqual(['late-secondary-flush']);
    expect(m.report.violations[0]!.details).toEqual([h.toString()]);
    await v(m.mem.munmap(child.task('c0'), a, P)); // the child lets go of the old frame: freed
    expect(kinds(m)).toEqual(['late-secondary-flush']);
    drv.device.dropAll();
  });

  it('reports an entry whose PTE moved once, also when it moves again', async () => {
    const { m, t } = setup('v6');
    const drv = new SharedTlbDriver(m, t.mm!, 'defers-flush');
    await register(t, drv);
    const a = await anonPages(m, t);
    expect(await drv.read(t, a)).toBe(100);
    await v(m.mem.fork(t, 'child'));
    await v(m.mem.write(t, a, 200));
    const copy = frameAt(t, a);
    await v(m.mem.fork(t, 'child2'));
    await v(m.mem.write(t, a, 300)); // the parent moves again
    expect(frameAt(t, a)).not.toBe(copy);
    expect(kinds(m)).toEqual(['late-secondary-flush']);
    drv.device.dropAll();
  });

  it('does not judge a device with its own page table: its stale entry is a use-after-free, not a late flush', async () => {
    const { m, t } = setup('v6');
    const drv = new NoRefDriver(m, t.mm!, 'keeps-translations');
    await register(t, drv);
    const a = await anonPages(m, t);
    expect(await drv.read(t, a)).toBe(100);
    await v(m.mem.munmap(t, a, P));
    expect(kinds(m)).not.toContain('late-secondary-flush');
    drv.device.dropAll();
  });

  it('forgets a dropped entry: a frame freed after the driver let go is no late flush', async () => {
    const { m, t } = setup('v6');
    const dev = new DeviceMmu(m, { name: 'tlb', driverClass: 'shares-cpu-page-table' });
    const a = await anonPages(m, t, 2);
    const h0 = dev.establish(t, t.mm!, a, frameAt(t, a));
    const h1 = dev.establish(t, t.mm!, a + P, frameAt(t, a + P));
    dev.drop(h0);
    await v(m.mem.munmap(t, a, P));
    expect(kinds(m)).toEqual([]);
    await v(m.mem.mprotect(t, a + P, P, PROT.none)); // a permission change of the other page: nothing to judge
    expect(kinds(m)).toEqual([]);
    dev.drop(h1);
  });
});
