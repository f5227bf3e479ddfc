// The test the "one notifier per region" section of docs/writing-a-driver.md ends
// with: the conformance suite on the example driver, imported as a user would.
import { Machine, MAP, PROT } from '@secondary-mmu/core-mm';
import { checkDriver } from '@secondary-mmu/testkit';
import { describe, expect, it } from 'vitest';
import { regionMirror } from './examples/region-mirror.js';

describe('regions: one interval notifier per region', () => {
  it('passes the conformance suite in v6, the era it declares', async () => {
    const report = await checkDriver(regionMirror, { seeds: [1, 2] });
    expect(report.cases.filter((c) => c.status === 'fail' || c.status === 'inconclusive')).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.cases.some((c) => c.scenario === 'munmap-across-regions' && c.status === 'pass')).toBe(true);
  });

  it('answers for each mapping with its own notifier, and detach leaves nothing', async () => {
    const m = new Machine({ era: 'v6', memory: { frames: 64 } });
    const t = m.mem.createProcess('app').task('cpu0');
    const a = await m.mem.mmap(t, { length: 4096, prot: PROT.read | PROT.write, flags: MAP.private | MAP.anonymous });
    const b = await m.mem.mmap(t, { length: 4096, prot: PROT.read, flags: MAP.private | MAP.anonymous });
    await m.mem.write(t, a, 5);
    const d = await regionMirror.attach(t, m, t.mm!);
    expect(d.device.subscriptions.map((s) => s.name)).toEqual(['regions-mr0', 'regions-mr1']);
    expect(await d.read(t, a)).toBe(5);
    expect(await d.read(t, b)).toBe(0);
    expect(d.device.translations().map((h) => h.subscription?.name).sort()).toEqual(['regions-mr0', 'regions-mr1']);
    await d.detach(t);
    expect(d.device.translations()).toEqual([]);
    expect(m.report.violations).toEqual([]);
  });
});
