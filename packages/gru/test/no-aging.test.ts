import { shrinkPage, walkPageTable, type ScanVerdict } from '@secondary-mmu/core-mm';
import { classicMirror, type DriverFactory, type DriverInstance } from '@secondary-mmu/testkit';
import { describe, expect, it } from 'vitest';
import { gru, type GruInstance } from '../src/index.js';
import { anonPages, rig } from './support/rig.js';

/**
 * kswapd's passes over the page the device keeps reading between them: shrink_page, whose
 * page_referenced asks the secondaries through clear_flush_young. Returns the verdicts and
 * the device's reads.
 */
async function reclaimWhileDeviceReads(driver: DriverFactory, era: 'v2.6.27' | 'v6'): Promise<{ verdicts: ScanVerdict[]; reads: number[]; refaulted: boolean; instance: DriverInstance }> {
  const r = rig(era);
  const kswapd = r.m.task('kswapd');
  const a = await anonPages(r, 1);
  const d = await driver.attach(r.t, r.m, r.t.mm!);
  const pfn = walkPageTable(r.t.mm!, a)!.pfn;
  const reads: number[] = [await d.read(r.dev, a)];
  const verdicts: ScanVerdict[] = [];
  for (let pass = 0; pass < 4 && !verdicts.includes('freed'); pass++) {
    reads.push(await d.read(r.dev, a)); // the device keeps using the page
    verdicts.push(await shrinkPage(r.m.mem, kswapd, pfn, { writePage: true }));
  }
  reads.push(await d.read(r.dev, a)); // after reclaim, if it happened: refault from swap
  const refaulted = walkPageTable(r.t.mm!, a)?.pfn !== pfn || verdicts.includes('freed');
  expect(r.m.report.violations).toEqual([]);
  await d.detach(r.t);
  return { verdicts, reads, refaulted, instance: d };
}

describe('no aging: reclaim does not see the GRU using a page', () => {
  for (const era of ['v2.6.27', 'v6'] as const) {
    it(`${era}: a page the device keeps hitting in its TLB is reclaimed anyway and refaults correctly; the classic mirror (which ages) keeps it`, async () => {
      const g = await reclaimWhileDeviceReads(gru, era);
      expect(g.verdicts).toContain('freed');
      expect(g.reads.every((x) => x === 100)).toBe(true); // the refault read the swapped-in data
      expect(g.refaulted).toBe(true);
      // Every read between the passes was a TLB hit; the only misses are the first read and the refault.
      expect((g.instance as GruInstance).stats).toMatchObject({ hits: g.reads.length - 2, misses: 2 });

      const c = await reclaimWhileDeviceReads(classicMirror, era);
      expect(c.verdicts).not.toContain('freed');
      expect(c.reads.every((x) => x === 100)).toBe(true);
    });
  }
});
