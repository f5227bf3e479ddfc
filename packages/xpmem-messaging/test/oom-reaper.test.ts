import { OOM_REAP_RETRIES, outOfMemory, type OomResult } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { xpmem } from '../src/index.js';
import { anonPages, attach, code, P, rig, run } from './support/rig.js';

describe('v6 OOM reaper: a non-blockable range gets -EAGAIN (false), never a sleep', () => {
  it('the reaper retries, gives up (MMF_OOM_SKIP), the exit path recalls; nothing lost, nothing leaked', async () => {
    const r = rig('v6');
    const a = await anonPages(r, 2);
    const imp = await attach(r);
    let oom: OomResult | undefined;
    const before = await run(r, {
      importer: async (task) => {
        await imp.write(task, a, 77);
        expect(await imp.read(task, a + P)).toBe(101);
      },
    });
    expect(before.violations).toEqual([]);
    expect(imp.device.holds().length).toBe(2);
    const result = await run(r, { allocator: async (task) => void (oom = await outOfMemory(r.m.mem, task)) });
    expect(result.violations).toEqual([]);
    expect(oom!.victim?.name).toBe('app');
    expect(oom!.skipped).toBe(true);
    expect(oom!.reapAttempts).toBe(OOM_REAP_RETRIES);
    const stats = xpmem.driverOn(r.m).stats;
    expect(stats.refused).toBeGreaterThanOrEqual(OOM_REAP_RETRIES); // each attempt answered false, without sleeping
    expect(stats.recalls).toBe(1); // the exit's blockable unmap
    expect(imp.device.holds()).toEqual([]); // every pin given back (the written one dirty)
    expect(imp.device.translations()).toEqual([]);
    const after = await run(r, { importer2: async (task) => expect(await code(() => imp.read(task, a))).toBe('EFAULT') });
    expect(after.violations).toEqual([]);
  });

  it('without pins in the range the reaper is not refused: it reaps at the first attempt', async () => {
    const r = rig('v6');
    await anonPages(r, 2);
    await attach(r);
    let oom: OomResult | undefined;
    const result = await run(r, { allocator: async (task) => void (oom = await outOfMemory(r.m.mem, task)) });
    expect(result.violations).toEqual([]);
    expect(oom!.skipped).toBe(false);
    expect(xpmem.driverOn(r.m).stats.refused).toBe(0);
  });
});
