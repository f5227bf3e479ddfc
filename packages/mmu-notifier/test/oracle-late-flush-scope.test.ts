/**
 * What the late-secondary-flush rule tracks (late-flush.ts): every entry of a frame, of
 * every device sharing the CPU page table, until that entry is dropped; only PTE
 * changes to another frame; each entry once, the report naming it.
 */
import { MAP, PROT } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { DeviceMmu } from '../src/index.js';
import { ANON, P, RW, setup, v } from './support/helpers.js';
import { register, SharedTlbDriver } from './support/oracle-drivers.js';
import { anonPages, frameAt, kinds, messages } from './support/oracle-helpers.js';

describe('late-secondary-flush: which entries are tracked', () => {
  it('keeps tracking one device\'s entry of a frame after another device dropped its own, and names it', async () => {
    const { m, t } = setup('v6');
    const first = new SharedTlbDriver(m, t.mm!, 'defers-flush', 'sva0');
    const second = new SharedTlbDriver(m, t.mm!, 'defers-flush', 'sva1');
    await register(t, first);
    await register(t, second);
    const a = await anonPages(m, t);
    expect(await first.read(t, a)).toBe(100);
    expect(await second.read(t, a)).toBe(100);
    const kept = second.device.lookup(t.mm!, a)!;
    first.device.dropAll();
    await v(m.mem.munmap(t, a, P));
    expect(messages(m, 'late-secondary-flush')).toEqual([expect.stringMatching(/^sva1: pfn \d+ was freed/)]);
    expect(m.report.violations[0]!.details).toEqual([kept.toString()]);
    second.device.dropAll();
  });

  it('reports both devices holding a freed frame', async () => {
    const { m, t } = setup('v6');
    const first = new SharedTlbDriver(m, t.mm!, 'defers-flush', 'sva0');
    const second = new SharedTlbDriver(m, t.mm!, 'defers-flush', 'sva1');
    await register(t, first);
    await register(t, second);
    const a = await anonPages(m, t);
    expect(await first.read(t, a)).toBe(100);
    expect(await second.read(t, a)).toBe(100);
    await v(m.mem.munmap(t, a, P));
    expect(kinds(m)).toEqual(['late-secondary-flush', 'late-secondary-flush']);
    first.device.dropAll();
    second.device.dropAll();
  });

  it('judges no permission change, even of a page whose entry names another frame', async () => {
    const { m, t } = setup('v6');
    const dev = new DeviceMmu(m, { name: 'tlb', driverClass: 'shares-cpu-page-table' });
    const a = await anonPages(m, t, 2);
    const h = dev.establish(t, t.mm!, a, frameAt(t, a + P)); // the wrong frame for a
    await v(m.mem.mprotect(t, a, P, PROT.read));
    expect(kinds(m)).toEqual([]);
    dev.drop(h);
  });

  it('reports an entry freed under it once, not again when its address maps a new page', async () => {
    const { m, t } = setup('v6');
    const drv = new SharedTlbDriver(m, t.mm!, 'defers-flush');
    await register(t, drv);
    const a = await anonPages(m, t);
    expect(await drv.read(t, a)).toBe(100);
    await v(m.mem.munmap(t, a, P));
    expect(kinds(m)).toEqual(['late-secondary-flush']);
    expect(await v(m.mem.mmap(t, { addr: a, length: P, prot: RW, flags: ANON | MAP.fixed }))).toBe(a);
    await v(m.mem.write(t, a, 5)); // a new frame at the entry's address
    expect(kinds(m)).toEqual(['late-secondary-flush']);
    drv.device.dropAll();
  });
});
