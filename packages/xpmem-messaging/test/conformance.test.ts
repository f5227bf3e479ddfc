import { checkDriver, CONFORMANCE_SCENARIOS, type DriverFactory, type DriverInstance } from '@secondary-mmu/testkit';
import { describeDriverConformance } from '@secondary-mmu/testkit/vitest';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { xpmem, xpmemSerial, type XpmemImporter } from '../src/index.js';

/**
 * Scenarios whose window the owner's pins keep shut in `v6`, by design: reclaim keeps a
 * pinned anonymous page (`access-vs-reclaim`, `release-vs-unregister` wait for the
 * page to be freed) and `fork` copies a pinned page for the child at once, so the
 * parent's write breaks no COW (`cow-vs-shared-tlb`). They run below: inconclusive,
 * with no violation. (In `rfc-2008` the external-rmap hook recalls the page and reclaim
 * frees it: `access-vs-reclaim` passes there; the other two are `v6` scenarios.)
 */
const PINNED = ['access-vs-reclaim', 'release-vs-unregister', 'cow-vs-shared-tlb'];
/** `rfc-2008` exports anonymous memory only (Holt, 2008-02-20): the file scenarios' faults are refused (EFAULT). */
const FILE = ['writeback-vs-device-write', 'hmm-file-read-write'];
const ALL = CONFORMANCE_SCENARIOS.map((s) => s.name);

describeDriverConformance({ name: 'xpmem (recall in start, multicast), v6', create: () => xpmem, eras: ['v6'], scenarios: ALL.filter((n) => !PINNED.includes(n)) });
describeDriverConformance({ name: 'xpmem (recall in start, serial), v6', create: () => xpmemSerial, eras: ['v6'], scenarios: ALL.filter((n) => !PINNED.includes(n)), latencies: [{ fault: 50, access: 50 }] });
describeDriverConformance({ name: 'xpmem (external-rmap hook), rfc-2008', create: () => xpmem, eras: ['rfc-2008'], scenarios: ALL.filter((n) => !FILE.includes(n)) });

describe('xpmem and the conformance suite', () => {
  it('is a DriverFactory and its importers DriverInstances (structurally; src imports no testkit)', () => {
    expectTypeOf(xpmem).toExtend<DriverFactory>();
    expectTypeOf<XpmemImporter>().toExtend<DriverInstance>();
    const asFactory: DriverFactory = xpmem;
    expect(asFactory.capabilities).toMatchObject({ holdsPageRefs: true, mayBlock: true, mayFailStart: true });
    expect(asFactory.eras).toEqual(['rfc-2008', 'v6']);
  });

  it(`v6, ${PINNED.join(', ')}: inconclusive (the pins keep the page), no violation`, async () => {
    const r = await checkDriver(xpmem, { eras: ['v6'], scenarios: PINNED, allowInconclusive: true, latencies: [{ fault: 0, access: 0 }] });
    expect(r.cases).toHaveLength(PINNED.length);
    for (const c of r.cases) {
      expect(c.violations, c.title).toEqual([]);
      expect(c.status, c.title).toBe('inconclusive');
    }
  });

  it('rfc-2008 file mappings: the import fault is refused with EFAULT (anonymous exports only), no violation', async () => {
    const r = await checkDriver(xpmem, { eras: ['rfc-2008'], scenarios: ['hmm-file-read-write'], seeds: [1], latencies: [{ fault: 0, access: 0 }] });
    const [c] = r.cases;
    expect(c!.violations).toEqual([]);
    expect(c!.reasons.join(' ')).toMatch(/EFAULT: .*anonymous memory only/);
  });
});
