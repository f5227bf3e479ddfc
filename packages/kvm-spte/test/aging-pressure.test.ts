import { configureSwap, ERAS, shrinkPage, walkPageTable, type Era, type ScanVerdict } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import type { KvmSpteFactory } from '../src/index.js';
import { YOUNG_REPORTS_OLD } from '../src/variants/index.js';
import { anonPages, attach, P, rig, violations } from './support/rig.js';

/**
 * kswapd's passes over two pages of the VM's memory (`shrink_page_list`, whose
 * `page_referenced` asks the VM through `clear_flush_young`), the guest reading one of
 * them (hot) before every pass and the other (cold) once before the first. The CPU never
 * touches either after the start: only the sptes' accessed bits tell reclaim which is in
 * use. Returns each page's verdicts and what the guest reads afterwards.
 */
async function kswapdPasses(era: Era, factory?: KvmSpteFactory): Promise<{ hot: ScanVerdict[]; cold: ScanVerdict[]; hotFrame: boolean; coldRead: number; hotRead: number; refaults: number; violations: string[] }> {
  const r = rig(era);
  configureSwap(r.m.mem, 16);
  const kswapd = r.m.task('kswapd');
  const a = await anonPages(r, 2); // page 0 hot (100), page 1 cold (101)
  const d = await attach(r, factory);
  const hotPfn = walkPageTable(r.t.mm!, a)!.pfn;
  const coldPfn = walkPageTable(r.t.mm!, a + P)!.pfn;
  await d.read(r.vcpu, a + P);
  const hot: ScanVerdict[] = [];
  const cold: ScanVerdict[] = [];
  for (let pass = 0; pass < 4; pass++) {
    expect(await d.read(r.vcpu, a)).toBe(100);
    hot.push(await shrinkPage(r.m.mem, kswapd, hotPfn, { writePage: true }));
    if (!cold.includes('freed')) cold.push(await shrinkPage(r.m.mem, kswapd, coldPfn, { writePage: true }));
  }
  const faults = d.stats.faults;
  const coldRead = await d.read(r.vcpu, a + P); // a guest fault: swapped back in
  const refaults = d.stats.faults - faults;
  const found = violations(r.m);
  const hotFrame = walkPageTable(r.t.mm!, a)?.pfn === hotPfn;
  await d.detach(r.t);
  return { hot, cold, hotFrame, coldRead, hotRead: await r.m.mem.read(r.t, a), refaults, violations: found };
}

describe.each(ERAS)('aging under reclaim (%s)', (era) => {
  it('the guest-hot page stays; the guest-cold one is reclaimed and the next guest access refaults its data', async () => {
    const p = await kswapdPasses(era);
    expect(p.hot).toEqual(['activate', 'activate', 'activate', 'activate']); // young every pass: the spte's A bit
    expect(p.cold).toEqual(['activate', 'freed']); // young once (the first read), then old: swapped out
    expect(p.hotFrame).toBe(true);
    expect(p.refaults).toBe(1);
    expect(p.coldRead).toBe(101);
    expect(p.hotRead).toBe(100);
    expect(p.violations).toEqual([]);
  });
});

it('v6, aging that answers old (the young-reports-old variant): reclaim takes the hot page too, and the oracle says why', async () => {
  const p = await kswapdPasses('v6', YOUNG_REPORTS_OLD.driver);
  expect(p.hot).toContain('freed');
  expect(p.hotFrame).toBe(false);
  expect(p.hotRead).toBe(100); // nothing lost: it comes back from swap
  expect(p.violations.some((x) => x.startsWith('aging:'))).toBe(true);
});
