import { checkDriver, CONFORMANCE_SCENARIOS, type DriverFactory } from '@secondary-mmu/testkit';
import { describeDriverConformance } from '@secondary-mmu/testkit/vitest';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { createKvmSpte, kvmSpte } from '../src/index.js';

/**
 * `exit-vs-device-access` and `oom-kill-vs-device-access` wait for the exit (or the OOM
 * reaper) to tear the device's translation down. In the 2008 eras nothing does: 2.6.27's
 * KVM had no `release`, exit unlists the notifier before it unmaps, and the sptes
 * (holding their pages) stay until the VM is destroyed. So there their windows are never
 * hit; they run below, inconclusive by design and without a violation.
 */
const EXIT = ['exit-vs-device-access', 'oom-kill-vs-device-access'];
const ALL_BUT_EXIT = CONFORMANCE_SCENARIOS.map((s) => s.name).filter((n) => !EXIT.includes(n));

// The era-faithful driver in every era (per-spte references in the 2008 eras, none in
// v6), and v6 in both modes; each at device latency 0 and 50 ns (the suite's default).
describeDriverConformance({ name: 'kvm-spte (era-faithful), v6', create: () => kvmSpte, eras: ['v6'] });
describeDriverConformance({ name: 'kvm-spte (era-faithful), 2008 eras', create: () => kvmSpte, eras: ['rfc-2008', 'v2.6.27'], scenarios: ALL_BUT_EXIT });
describeDriverConformance({ name: 'kvm-spte refs: none', create: () => createKvmSpte({ refs: 'none' }), eras: ['v6'] });
describeDriverConformance({ name: 'kvm-spte refs: per-spte', create: () => createKvmSpte({ refs: 'per-spte' }), eras: ['v6'] });

describe('kvm-spte and the conformance suite', () => {
  it('the factories are assignable to the testkit DriverFactory', () => {
    expectTypeOf(kvmSpte).toExtend<DriverFactory>();
    expectTypeOf(createKvmSpte({ refs: 'none' })).toExtend<DriverFactory>();
    const asFactory: DriverFactory = kvmSpte;
    expect(asFactory.name).toBe('kvm-spte');
  });

  it(`${EXIT.join(', ')} in the 2008 eras: no violation, inconclusive because exit tears no spte down`, async () => {
    const r = await checkDriver(kvmSpte, { eras: ['rfc-2008', 'v2.6.27'], scenarios: EXIT, allowInconclusive: true });
    expect(r.cases).toHaveLength(8);
    for (const c of r.cases) {
      expect(c.status, c.scenario).toBe('inconclusive');
      expect(c.violations).toEqual([]);
    }
  });
});
