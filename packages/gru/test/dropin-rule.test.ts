import { walkPageTable } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { createGruDriver, GRU_RULES, gruTlbDropin } from '../src/index.js';
import { anonPages, attach, code, P, rig } from './support/rig.js';

describe('the hardware dropin rule: a flush after the fault was read discards the dropin', () => {
  for (const era of ['rfc-2008', 'v2.6.27', 'v6'] as const) {
    it(`${era}: an invalidation between the fault read and the dropin discards it; without one the entry is written`, async () => {
      const r = rig(era);
      const a = await anonPages(r, 2);
      const d = await attach(r);
      const ctx = d.contextFor(r.dev);
      const stale = walkPageTable(r.t.mm!, a)!.pfn;

      const fault = ctx.readFault(a, false);
      await r.m.mem.madvise(r.t, a, P, 'dontneed'); // the PTE goes and the frame is freed; the flush reaches ctx
      expect(gruTlbDropin(r.dev, d, fault, stale)).toBe('discarded');
      expect(d.stats.discardedDropins).toBe(1);
      expect(d.device.translations()).toEqual([]); // nothing of the freed frame reached the TLB

      const fresh = ctx.readFault(a + P, false);
      expect(gruTlbDropin(r.dev, d, fresh, walkPageTable(r.t.mm!, a + P)!.pfn)).toBe('dropped-in');
      expect(await d.read(r.dev, a + P)).toBe(101);
      expect(d.stats).toMatchObject({ dropins: 1, hits: 1, misses: 0 });
      expect(await d.read(r.dev, a)).toBe(0); // refaults: DONTNEED left a zero page behind
      expect(r.m.report.violations).toEqual([]);
      await d.detach(r.dev);
    });
  }

  it('without the rule, the same dropin installs the freed frame and the oracle sees the access', async () => {
    const r = rig('v6');
    const a = await anonPages(r, 1);
    const d = await attach(r, createGruDriver({ name: 'gru-no-rule', rules: { ...GRU_RULES, hardwareDropinRule: false } }));
    const ctx = d.contextFor(r.dev);
    const stale = walkPageTable(r.t.mm!, a)!.pfn;
    const fault = ctx.readFault(a, false);
    await r.m.mem.madvise(r.t, a, P, 'dontneed');
    expect(gruTlbDropin(r.dev, d, fault, stale)).toBe('dropped-in');
    await code(() => d.read(r.dev, a));
    expect(r.m.report.violations.map((x) => x.kind)).toContain('use-after-free');
  });

  for (const era of ['v2.6.27', 'v6'] as const) {
    it(`${era}: a device fault racing DONTNEED over 40 seeds: never a violation, and some dropins are discarded`, async () => {
      let discarded = 0;
      for (let seed = 1; seed <= 40; seed++) {
        const r = rig(era, { seed, random: true });
        const a = await anonPages(r, 1);
        await r.m.mem.madvise(r.t, a, P, 'dontneed'); // not present: the irq path hands the fault to the user path
        await r.m.mem.write(r.t, a, 7);
        await r.m.mem.madvise(r.t, a, P, 'dontneed');
        const d = await attach(r);
        const seen: number[] = [];
        r.m.sched.spawn('engine', async (task) => void seen.push(await d.read(task, a)));
        r.proc.spawn('madvise', (task) => r.m.mem.madvise(task, a, P, 'dontneed'));
        const run = await r.m.sched.run();
        expect(run.violations, `seed ${seed}`).toEqual([]);
        expect(seen).toEqual([0]);
        discarded += d.stats.discardedDropins;
        await d.detach(r.t);
        expect(r.m.report.violations).toEqual([]);
      }
      expect(discarded).toBeGreaterThan(0);
    });
  }
});
