import { isSmmuError, Machine, MAP, PAGE_SIZE, PROT } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { checkDriver } from '../src/conformance/index.js';
import { explore } from '../src/explore/index.js';
import { MULTI_REGION } from '../src/kill-matrix/variants/multi-region.js';
import { attachOdpMirror, odpMirror, type OdpMirror } from '../src/odp/index.js';
import { loadScenario, runScenario, SCENARIO_CATALOGUE } from '../src/scenario/index.js';
import { thrown } from './support/thrown.js';

const P = PAGE_SIZE;
const RW = PROT.read | PROT.write;
const ANON = MAP.private | MAP.anonymous;

/** Seeds per multi-region scenario in CI; `npm run multi-region:long` runs 500 of each (docs/notifier.md). */
const SEEDS: Readonly<Record<string, number>> = { 'two-devices-across-regions': 100, 'munmap-across-regions': 50 };

async function attached(pages = 3): Promise<{ m: Machine; t: ReturnType<Machine['mem']['createProcess']>['tasks'][number]; a: number; odp: OdpMirror }> {
  const m = new Machine({ era: 'v6', memory: { frames: 64 } });
  const t = m.mem.createProcess('app').task('cpu0');
  const a = await m.mem.mmap(t, { length: pages * P, prot: RW, flags: ANON });
  for (let i = 0; i < pages; i++) await m.mem.write(t, a + i * P, 100 + i);
  const odp = await attachOdpMirror(t, m, t.mm!);
  return { m, t, a, odp };
}

describe('odp mirror: regions', () => {
  it('registers the mappings at attach as two-page regions cut on aligned addresses, one interval notifier each', async () => {
    const { a, odp } = await attached(3);
    const size = 2 * P;
    const cut = Math.ceil((a + 1) / size) * size; // the first aligned boundary inside the mapping
    expect(odp.regions.map((r) => [r.start, r.end])).toEqual([
      [a, cut],
      [cut, a + 3 * P],
    ]);
    expect(odp.device.subscriptions).toEqual(odp.regions.map((r) => r.notifier));
    expect(odp.device.covering(odp.mm, a + 2 * P)).toBe(odp.regionOf(a + 2 * P)!.notifier);
  });

  it('reads and writes through each region, and detach leaves nothing behind', async () => {
    const { m, t, a, odp } = await attached(3);
    for (let i = 0; i < 3; i++) expect(await odp.read(t, a + i * P)).toBe(100 + i);
    await odp.write(t, a + 2 * P, 7);
    expect(await m.mem.read(t, a + 2 * P)).toBe(7);
    expect(new Set(odp.device.translations().map((h) => h.subscription)).size).toBe(2);
    await odp.detach(t);
    expect(odp.device.translations()).toEqual([]);
    expect(odp.device.subscriptions).toEqual([]);
    expect(m.report.violations).toEqual([]);
  });

  it('refuses a bad region with EINVAL and changes nothing; a page outside every region is EFAULT', async () => {
    const { m, t, a, odp } = await attached(2);
    const before = odp.regions.length;
    for (const [start, pages] of [
      [a + 1, 1],
      [a, 0],
      [a, 1], // overlaps
      [-P, 1],
    ] as const) {
      const e = await thrown(() => odp.registerRegion(t, start, pages));
      expect(isSmmuError(e, 'EINVAL'), String(e)).toBe(true);
    }
    expect(odp.regions).toHaveLength(before);
    expect(odp.device.subscriptions).toHaveLength(before);
    const outside = await m.mem.mmap(t, { length: P, prot: RW, flags: ANON });
    expect(isSmmuError(await thrown(() => odp.read(t, outside)), 'EFAULT')).toBe(true);
    await odp.registerRegion(t, outside, 1);
    expect(await odp.read(t, outside)).toBe(0);
    await odp.detach(t);
    expect(isSmmuError(await thrown(() => odp.registerRegion(t, outside + P, 1)), 'EINVAL')).toBe(true);
    expect(m.report.violations).toEqual([]);
  });
});

describe('MirrorDriver: a translation no subscription covers', () => {
  it('is a driver bug (EINVAL naming translate); the same page is fine while its region answers for it', async () => {
    const { t, a, odp } = await attached(3);
    const last = odp.regionOf(a + 2 * P)!;
    expect(await odp.read(t, a + 2 * P)).toBe(102);
    odp.device.removeSubscription(last.notifier); // the device no longer answers for that region
    odp.device.dropAll();
    const e = await thrown(() => odp.read(t, a + 2 * P));
    expect(isSmmuError(e, 'EINVAL')).toBe(true);
    expect(String(e)).toMatch(/translate returned .*, which none of the device's subscriptions \(odp-mr0\) covers/);
  });
});

describe('odp mirror: the conformance suite', () => {
  it('passes every scenario in v6, the era it declares (the others are skipped)', async () => {
    const report = await checkDriver(odpMirror, { seeds: [1, 2] }); // the long script runs the default eight
    expect(report.cases.filter((c) => c.status === 'fail' || c.status === 'inconclusive')).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.counts.pass).toBeGreaterThan(10);
    expect(report.cases.filter((c) => c.status === 'skipped' && c.era === 'v6').map((c) => c.skip?.capability)).toEqual(['implementsAging', 'implementsAging', 'implementsAging', 'implementsAging']); // two aging scenarios × two device latencies
  });
});

describe('multi-region scenarios: zero violations', () => {
  for (const [name, seeds] of Object.entries(SEEDS)) {
    it(`${name}: the odp mirror, ${seeds} seeds, no violation and the window hit`, async () => {
      const scenario = loadScenario(SCENARIO_CATALOGUE[name]!, { source: name });
      let hits = 0;
      for (let seed = 1; seed <= seeds; seed++) {
        const r = await runScenario(scenario, odpMirror, { era: 'v6', seed });
        expect(r.violations.map((v) => `${v.kind}: ${v.message}`), `seed ${seed}`).toEqual([]);
        expect(r.verdict, `seed ${seed}: ${r.reasons.join('; ')}`).not.toBe('fail');
        if (r.verdict === 'pass') hits++;
      }
      expect(hits).toBeGreaterThan(seeds / 4);
    });
  }
});

describe('multi-region: a broken driver is caught', () => {
  it('every region invalidating through the first region: caught on munmap-across-regions; the correct driver is not', async () => {
    const scenario = loadScenario(SCENARIO_CATALOGUE['munmap-across-regions']!);
    const bad = await explore(scenario, { driver: MULTI_REGION.driver, era: 'v6', schedules: 20, seed: 1, shrinkBudget: 0 });
    expect(bad.verdict).toBe('fail');
    expect(bad.failing!.violations.map((v) => v.kind).some((k) => MULTI_REGION.expectedKinds.includes(k))).toBe(true);
    const good = await explore(scenario, { driver: odpMirror, era: 'v6', schedules: 20, seed: 1 });
    expect(good.verdict).not.toBe('fail');
  });
});
