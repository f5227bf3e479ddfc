// The test the "A driver that shares the CPU page table" section of
// docs/writing-a-driver.md ends with: the whole conformance suite for its driver.
import { describe, expect, it } from 'vitest';
import { checkDriver } from '@secondary-mmu/testkit';
import { svaDevice } from './examples/sva-device.js';

describe('my-sva: a driver sharing the CPU page table', () => {
  it('passes the conformance suite in v6, every case conclusive', async () => {
    const report = await checkDriver(svaDevice);
    const run = report.cases.filter((c) => c.status !== 'skipped');
    expect(run.map((c) => `${c.scenario}: ${c.status}`).filter((s) => !s.endsWith(': pass'))).toEqual([]);
    expect(run.length).toBeGreaterThanOrEqual(15);
    expect(report.cases.filter((c) => c.status === 'skipped' && c.era === 'v6').map((c) => c.scenario)).toEqual(['access-vs-aging', 'idle-scan-vs-device-access']);
  });
});
