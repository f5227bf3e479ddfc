import { checkDriver, type DriverFactory, type DriverInstance } from '@secondary-mmu/testkit';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { gru, GruInstance } from '../src/index.js';

describe('gru: the conformance suite', () => {
  it('is a DriverFactory and its instances DriverInstances (structurally; src imports no testkit)', () => {
    expectTypeOf(gru).toExtend<DriverFactory>();
    expectTypeOf<GruInstance>().toExtend<DriverInstance>();
    const asFactory: DriverFactory = gru;
    expect(asFactory.capabilities.implementsAging).toBe(false);
  });

  it('passes every scenario in every era at device latency 0 and 50 ns, with zero violations', async () => {
    const report = await checkDriver(gru);
    expect(report.latencies).toEqual([
      { fault: 0, access: 0 },
      { fault: 50, access: 50 },
    ]);
    const failed = report.cases.filter((c) => c.status === 'fail' || c.status === 'inconclusive');
    expect(failed.map((c) => `${c.title}: ${c.status} ${c.reasons.join(" | ")}`.slice(0, 1500))).toEqual([]);
    expect(report.cases.flatMap((c) => c.violations)).toEqual([]);
    const ran = report.cases.filter((c) => c.status === 'pass');
    console.log(`gru: ${ran.length} cases pass, ${report.cases.length - ran.length} skipped`);
    expect(new Set(ran.map((c) => c.era))).toEqual(new Set(['rfc-2008', 'v2.6.27', 'v6']));
    expect(ran.filter((c) => c.latency.access === 50).length).toBe(ran.length / 2);
    // Skipped only for what it does not declare: aging, and the drivers of other classes' own scenarios.
    expect(ran.length).toBe(122);
  });
});
