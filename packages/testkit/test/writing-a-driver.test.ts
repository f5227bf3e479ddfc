// The test docs/writing-a-driver.md ends with: the whole conformance suite for the
// tiny driver built there, plus the programmatic report.
import { describe, expect, it } from 'vitest';
import { checkDriver } from '../src/index.js';
import { describeDriverConformance } from '../src/vitest/index.js';
import { tinyMirror } from './examples/tiny-mirror.js';

describeDriverConformance({ name: 'tiny', create: () => tinyMirror });

describe('tiny: the programmatic report', () => {
  it('passes every scenario in every era it declares', async () => {
    const report = await checkDriver(tinyMirror, { seeds: [1, 2, 3] });
    expect(report.cases.filter((c) => c.status === 'fail')).toEqual([]);
    expect(report.counts.pass).toBeGreaterThan(0);
  });
});
