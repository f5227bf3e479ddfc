// The test the "A driver that shares the CPU page table" section of
// docs/writing-a-driver.md ends with: the whole conformance suite for its driver.
import { describe, expect, it } from 'vitest';
import { checkDriver } from '@secondary-mmu/testkit';
import { svaDevice } from './examples/sva-device.js';

describe('my-sva: a driver sharing the CPU page table', () => {
  it('passes the conformance suite in v6', async () => {
    // Three seeds keep CI short; svaMirror, the same design, is held to every window on the default seeds (test/sva.test.ts).
    const report = await checkDriver(svaDevice, { seeds: [1, 2, 3] });
    const run = report.cases.filter((c) => c.status !== 'skipped');
    expect(run.map((c) => `${c.scenario}: ${c.status}`).filter((s) => s.endsWith(': fail'))).toEqual([]);
    expect(run.filter((c) => c.status === 'pass').length).toBeGreaterThanOrEqual(13);
    expect(report.cases.filter((c) => c.status === 'skipped' && c.era === 'v6').map((c) => c.scenario)).toEqual(['access-vs-aging', 'access-vs-aging', 'idle-scan-vs-device-access', 'idle-scan-vs-device-access']); // no aging: skipped at both device latencies
  });
});
