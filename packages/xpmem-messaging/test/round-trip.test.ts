import { PROT } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { createXpmemDriver } from '../src/index.js';
import { anonPages, attach, P, rig, run, RW, v } from './support/rig.js';

const lossy = createXpmemDriver({ name: 'xpmem-lossy', fabric: { latencyNs: 1_000, jitterNs: 400, loss: 0.25, maxRetransmits: 12, cutoffNs: 10_000_000 } });

describe('content crosses the fabric both ways, with message loss and a slow partition on', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`seed ${seed}: what an importer wrote is what the owner reads after the recall, and the other way round`, async () => {
      const r = rig('v6', { seed, random: true });
      const a = await anonPages(r, 3);
      const imp = await attach(r, lossy);
      imp.partition.delayNs = 20_000; // the slow partition: every recall and fault answer waits on it
      const seen: number[] = [];
      const result = await run(r, {
        importer: async (task) => {
          for (let i = 0; i < 3; i++) await imp.write(task, a + i * P, 500 + i);
        },
      });
      expect(result.violations).toEqual([]);
      const owner = await run(r, {
        cpu1: async (task) => {
          // mprotect recalls every importer page (PROTECTION_VMA), then the owner reads what they wrote.
          await v(r.m.mem.mprotect(task, a, 3 * P, PROT.read));
          await v(r.m.mem.mprotect(task, a, 3 * P, RW));
          for (let i = 0; i < 3; i++) seen.push(await v(r.m.mem.read(task, a + i * P)));
          for (let i = 0; i < 3; i++) await v(r.m.mem.write(task, a + i * P, 900 + i));
        },
        importer2: async (task) => {
          // Racing the owner: every read sees the importer's own value or the owner's, never an older one.
          const x = await imp.read(task, a + P);
          expect([501, 901]).toContain(x);
        },
      });
      expect(owner.violations).toEqual([]);
      expect(seen).toEqual([500, 501, 502]);
      const back: number[] = [];
      const last = await run(r, { importer3: async (task) => void back.push(...[await imp.read(task, a), await imp.read(task, a + 2 * P)]) });
      expect(last.violations).toEqual([]);
      expect(back).toEqual([900, 902]);
      const { fabric, stats } = lossy.driverOn(r.m);
      expect(fabric.stats.lost).toBeGreaterThan(0);
      expect(fabric.stats.cutOffs).toBe(0);
      expect(imp.partition.handled).toBeGreaterThan(0);
      expect(stats.recalls).toBeGreaterThan(0);
      await v(imp.detach(r.t));
      expect(imp.device.holds()).toEqual([]);
    });
  }
});
