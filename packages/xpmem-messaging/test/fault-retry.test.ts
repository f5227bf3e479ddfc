import { PROT } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { createXpmemDriver, type XpmemFactory } from '../src/index.js';
import { anonPages, attach, code, P, rig, run, RW, v } from './support/rig.js';

/** The owner flips `a`'s protection `flips` times while the importer reads it; codes the importer's reads ended with, and the driver's counters. */
async function storm(factory: XpmemFactory, seed: number, flips = 12) {
  const r = rig('v6', { seed, random: true });
  const a = await anonPages(r, 1);
  const imp = await attach(r, factory);
  const codes: string[] = [];
  const res = await run(r, {
    cpu1: async (task) => {
      for (let i = 0; i < flips; i++) {
        await r.m.sched.sleep(task, 150 + 50 * (i % 4)); // spread over the faults' round trips
        await v(r.m.mem.mprotect(task, a, P, PROT.read));
        await v(r.m.mem.mprotect(task, a, P, RW));
      }
    },
    importer: async (task) => {
      for (let i = 0; i < 6; i++) codes.push(await code(() => imp.read(task, a)));
    },
  });
  return { res, codes, stats: factory.driverOn(r.m).stats, imp };
}

describe('an import fault an invalidation overtakes starts over', () => {
  it('retries (owner side: the interval sequence moved; importer side: a recall arrived), and every read succeeds', async () => {
    const factory = createXpmemDriver({ fabric: { latencyNs: 300, jitterNs: 300 } });
    let retries = 0;
    for (let seed = 1; seed <= 8; seed++) {
      const { res, codes, stats } = await storm(factory, seed);
      expect(res.violations, `seed ${seed}`).toEqual([]);
      expect(codes.every((c) => c === 'ok'), `seed ${seed}: ${codes.join(' ')}`).toBe(true);
      retries += stats.faultRetries;
    }
    expect(retries).toBeGreaterThan(0);
  });

  it('bounded: with one attempt allowed, an overtaken fault fails with EAGAIN and holds no pin', async () => {
    const factory = createXpmemDriver({ maxFaultRetries: 1, fabric: { latencyNs: 300, jitterNs: 300 } });
    let again = 0;
    for (let seed = 1; seed <= 8; seed++) {
      const { res, codes, stats, imp } = await storm(factory, seed);
      expect(res.violations, `seed ${seed}`).toEqual([]);
      expect(codes.every((c) => c === 'ok' || c === 'EAGAIN')).toBe(true);
      again += codes.filter((c) => c === 'EAGAIN').length;
      expect(stats.faultsAgain).toBe(codes.filter((c) => c === 'EAGAIN').length);
      expect(imp.device.holds().length).toBeLessThanOrEqual(1); // at most the page of a read that succeeded
    }
    expect(again).toBeGreaterThan(0);
  });

  it('bad driver options: EINVAL naming the value, nothing built', () => {
    expect(() => createXpmemDriver({ order: 'broadcast' as never })).toThrow(/options\.order.*"broadcast"/);
    expect(() => createXpmemDriver({ maxFaultRetries: 0 })).toThrow(/maxFaultRetries/);
    expect(() => createXpmemDriver({ name: '' })).toThrow(/options\.name/);
    expect(() => createXpmemDriver({ fabric: { cutoffNs: 0 } })).toThrow(/fabric\.cutoffNs/);
  });
});
