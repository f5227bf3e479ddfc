import { shrinkPage, walkPageTable } from '@secondary-mmu/core-mm';
import { xpmemV2627 } from '../src/variants/index.js';
import { describe, expect, it } from 'vitest';
import { anonPages, attach, P, rig, run, v } from './support/rig.js';

describe('v2.6.27: no hook may sleep, so the recall is a might-sleep violation', () => {
  it('munmap: invalidate_range_start recalls inside rcu_read_lock(), under the mmap lock', async () => {
    const r = rig('v2.6.27');
    const a = await anonPages(r, 1);
    const imp = await attach(r, xpmemV2627);
    const result = await run(r, { importer: async (task) => expect(await imp.read(task, a)).toBe(100) });
    expect(result.violations).toEqual([]);
    const unmap = await run(r, { cpu1: (task) => v(r.m.mem.munmap(task, a, P)) });
    expect(unmap.violations.length).toBeGreaterThan(0);
    expect(unmap.violations.every((x) => x.kind === 'might-sleep')).toBe(true);
    const s = unmap.violations.find((x) => x.message.includes('wait_event(xpmem fabric answers)'));
    expect(s!.message).toMatch(/rcu_read_lock depth \d/);
    expect(s!.site).toMatch(/^invalidate_range_start \(unmap\) -> xpmem_invalidate_range: recall segment 1/);
    expect(s!.heldLocks.join(', ')).toMatch(/mmap_lock/);
    console.log(`v2.6.27 munmap: ${s!.message} at ${s!.site}; locks held: ${s!.heldLocks.join(', ')}`);
  });

  it('reclaim: invalidate_page recalls under the PT lock, the page lock and the anon_vma spinlock', async () => {
    const r = rig('v2.6.27');
    const a = await anonPages(r, 1);
    const imp = await attach(r, xpmemV2627);
    await run(r, { importer: async (task) => void (await imp.read(task, a)) });
    const pfn = walkPageTable(r.t.mm!, a)!.pfn;
    const reclaim = await run(r, {
      kswapd: async (task) => {
        // The first passes find the page young (the 2008 eras' young check) and keep it.
        for (let pass = 0; pass < 4; pass++) if ((await shrinkPage(r.m.mem, task, pfn, { writePage: true })) === 'freed') return;
      },
    });
    const s = reclaim.violations.find((x) => x.kind === 'might-sleep' && x.message.includes('wait_event(xpmem fabric answers)'));
    expect(s!.message).toMatch(/preempt_count \d+, rcu_read_lock depth \d/);
    expect(s!.site).toMatch(/^invalidate_page -> xpmem_invalidate_range: recall segment 1/);
    expect(s!.heldLocks).toEqual(expect.arrayContaining(['anon_vma->lock (spinlock)', 'ptl (spinlock)']));
    console.log(`v2.6.27 reclaim: ${s!.message} at ${s!.site}; locks held: ${s!.heldLocks.join(', ')}`);
  });
});
