import { PROT, shrinkPage, walkPageTable } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { createXpmemDriver, xpmem } from '../src/index.js';
import { anonPages, attach, code, P, rig, run, v } from './support/rig.js';

describe('rfc-2008: the external-rmap hook recalls exported pages, sleeping legally', () => {
  it('reclaim of a page an importer wrote: the hook recalls after the walk, the page is swapped out with the write, no violation', async () => {
    const r = rig('rfc-2008');
    const a = await anonPages(r, 1);
    const imp = await attach(r);
    await run(r, { importer: (task) => imp.write(task, a, 4242) });
    const pfn = walkPageTable(r.t.mm!, a)!.pfn;
    const verdicts: string[] = [];
    const res = await run(r, {
      kswapd: async (task) => {
        for (let pass = 0; pass < 4 && !verdicts.includes('freed'); pass++) verdicts.push(await shrinkPage(r.m.mem, task, pfn, { writePage: true }));
      },
    });
    expect(res.violations).toEqual([]);
    expect(verdicts).toContain('freed');
    const { stats } = xpmem.driverOn(r.m);
    expect(stats.recalls).toBe(1);
    expect(imp.device.holds()).toEqual([]);
    const again = await run(r, { cpu1: async (task) => expect(await v(r.m.mem.read(task, a))).toBe(4242), importer2: async (task) => expect(await imp.read(task, a)).toBe(4242) });
    expect(again.violations).toEqual([]);
  });

  it('munmap and mprotect: range start recalls (not atomic), legal; stats count each', async () => {
    const r = rig('rfc-2008');
    const a = await anonPages(r, 2);
    const factory = createXpmemDriver({ order: 'serial' });
    const imp = await attach(r, factory);
    await run(r, { importer: async (task) => void (await imp.read(task, a), await imp.read(task, a + P)) });
    const res = await run(r, {
      cpu1: async (task) => {
        await v(r.m.mem.mprotect(task, a, P, PROT.read));
        await v(r.m.mem.munmap(task, a + P, P));
      },
    });
    expect(res.violations).toEqual([]);
    expect(factory.driverOn(r.m).stats.recalls).toBe(2);
    await run(r, { importer2: async (task) => expect(await code(() => imp.read(task, a + P))).toBe('EFAULT') });
  });
});
