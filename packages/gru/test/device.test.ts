import { isSmmuError } from '@secondary-mmu/core-mm';
import { mmuNotifierSynchronize } from '@secondary-mmu/mmu-notifier';
import { describe, expect, it } from 'vitest';
import { createGruDriver, GRU_MAX_INVAL_PAGES, GRU_RULES, gru } from '../src/index.js';
import { ANON, anonPages, attach, P, rig, RW } from './support/rig.js';

describe('options', () => {
  it('bad sizes are an EINVAL naming the field and the value; nothing is built', () => {
    for (const [options, text] of [
      [{ tlbSize: 0 }, 'options.tlbSize must be a positive integer, got 0'],
      [{ contexts: 1.5 }, 'options.contexts must be a positive integer, got 1.5'],
      [{ tlbSize: '4' }, 'options.tlbSize must be a positive integer, got "4"'],
      [{ name: '' }, 'options.name must be a non-empty string, got '],
    ] as const) {
      let error: unknown;
      try {
        createGruDriver(options as never);
      } catch (e) {
        error = e;
      }
      expect(isSmmuError(error, 'EINVAL'), text).toBe(true);
      expect((error as Error).message).toContain(text);
    }
  });
});

describe('the TLB', () => {
  it('is least recently used first: a hit keeps an entry, the oldest unused one is evicted', async () => {
    const r = rig('v6');
    const a = await anonPages(r, 3);
    const d = await attach(r, createGruDriver({ tlbSize: 2, contexts: 1 }));
    expect(await d.read(r.dev, a)).toBe(100);
    expect(await d.read(r.dev, a + P)).toBe(101);
    expect(await d.read(r.dev, a)).toBe(100); // a hit: page 0 is now the most recent
    expect(await d.read(r.dev, a + 2 * P)).toBe(102); // evicts page 1
    expect(d.stats).toMatchObject({ hits: 1, misses: 3, dropins: 3, evictions: 1 });
    expect(d.device.translations().map((h) => (h.address - a) / P)).toEqual([0, 2]);
    await d.detach(r.dev);
    expect(r.m.report.violations).toEqual([]);
  });

  it('each task gets a context of its own; a flush reaches every context, a long range drops the ASIDs', async () => {
    const r = rig('v6');
    const a = await anonPages(r, 2);
    const d = await attach(r);
    const other = r.m.task('engine2');
    await d.read(r.dev, a);
    await d.read(other, a + P);
    expect(d.contextFor(r.dev)).not.toBe(d.contextFor(other));
    expect(d.contexts.map((c) => c.tlb.count)).toEqual([1, 1]);
    await r.m.mem.madvise(r.t, a, P, 'dontneed');
    expect(d.stats).toMatchObject({ flushes: 2, asidDrops: 0 });
    expect(d.contexts.map((c) => c.tlb.count)).toEqual([0, 1]);
    const big = await r.m.mem.mmap(r.t, { length: (GRU_MAX_INVAL_PAGES + 1) * P, prot: RW, flags: ANON });
    await r.m.mem.write(r.t, big, 5);
    expect(await d.read(other, big)).toBe(5);
    const asids = d.contexts.map((c) => c.asid);
    await r.m.mem.munmap(r.t, big, (GRU_MAX_INVAL_PAGES + 1) * P);
    expect(d.stats.asidDrops).toBe(2);
    expect(d.contexts.map((c) => c.asid)).not.toEqual(asids);
    expect(d.contexts.map((c) => c.tlb.count)).toEqual([0, 0]);
    await d.detach(r.dev);
    expect(r.m.report.violations).toEqual([]);
  });
});

describe('registration and release per era', () => {
  it('v6: devices on one mm share one gms through mmu_notifier_get; the last put frees it; there is no release in the kernel variant', async () => {
    const r = rig('v6');
    await anonPages(r, 1);
    const d1 = await attach(r);
    const d2 = await attach(r);
    expect(d2.gms).toBe(d1.gms);
    expect(d1.gms.notifier.users).toBe(2);
    await d1.detach(r.t);
    expect(d1.gms.notifier.listed).toBe(true);
    await d2.detach(r.t);
    await mmuNotifierSynchronize(r.t, r.m);
    expect(d1.gms.freed).toBe(true);
    const kernel = await attach(r, createGruDriver({ name: 'gru-5.4', rules: { ...GRU_RULES, releaseFlushes: false } }));
    expect(kernel.gms.notifier.ops.release).toBeUndefined();
    expect(kernel.gms.notifier.ops.freeNotifier).toBeTypeOf('function');
    await kernel.detach(r.t);
  });

  for (const era of ['rfc-2008', 'v2.6.27'] as const) {
    it(`${era}: release sets ms_released and unloads the contexts; detach then does not unregister; invalidate_page flushes`, async () => {
      const r = rig(era);
      const a = await anonPages(r, 1);
      const d = await attach(r);
      expect(d.gms.notifier.ops.invalidatePage).toBeTypeOf('function');
      expect(d.gms.refs).toBe(1);
      expect(await d.read(r.dev, a)).toBe(100);
      await r.m.mem.exit(r.t);
      expect(d.gms.released).toBe(true);
      expect(d.device.translations()).toEqual([]);
      expect(d.gms.notifier.listed).toBe(false);
      await d.detach(r.dev);
      expect(r.m.report.violations).toEqual([]);
    });
  }

  it('2.6.27 as the kernel has it: release only sets ms_released, the TLB keeps the exiting mm: a leak', async () => {
    const r = rig('v2.6.27');
    const a = await anonPages(r, 1);
    const d = await attach(r, createGruDriver({ name: 'gru-2.6.27', rules: { ...GRU_RULES, releaseFlushes: false } }));
    await d.read(r.dev, a);
    await r.m.mem.exit(r.t);
    expect(d.gms.released).toBe(true);
    expect(r.m.report.violations.map((x) => x.kind)).toContain('leak');
  });

  it('gru declares no aging, never blocks, holds no references, every era', () => {
    expect(gru.capabilities).toEqual({ holdsPageRefs: false, implementsAging: false, mayBlock: false, mayFailStart: false, sharesCpuPageTable: false });
    expect([...gru.eras]).toEqual(['rfc-2008', 'v2.6.27', 'v6']);
    expect(gru.name).toBe('gru');
  });
});
