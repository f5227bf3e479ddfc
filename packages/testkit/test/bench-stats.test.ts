import { describe, expect, it } from 'vitest';
import { median, pairRatios, sampleRates, slowerBeyondNoise, summary } from '../bench/stats.mjs';

describe('explore benchmark statistics', () => {
  it('summarises min, median (the middle two averaged) and max', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(summary([10, 30, 20, 40])).toEqual({ min: 10, median: 25, max: 40 });
  });

  it('rates a sample by CPU (user + system), user CPU and wall clock', () => {
    const r = sampleRates([{ seed: 1, schedules: 1000, wallMs: 2000, userMs: 800, systemMs: 200, verdicts: ['pass'] }]);
    expect(r).toEqual({ cpu: [1000], cpuUser: [1250], wall: [500] });
  });

  it('pairs ratios sample by sample', () => {
    expect(pairRatios([2, 6, 9], [1, 3])).toEqual([2, 2]);
  });

  it('calls a side slower only when every pair is and the gap exceeds both spreads', () => {
    expect(slowerBeyondNoise([90, 91, 92], [100, 101, 102])).toBe(true);
    // One pair faster: within noise.
    expect(slowerBeyondNoise([90, 103, 92], [100, 101, 102])).toBe(false);
    // Every pair slower, but the sides spread ±20 % while the medians differ by 3 %.
    expect(slowerBeyondNoise([78, 97, 116], [80, 100, 120])).toBe(false);
    expect(slowerBeyondNoise([100, 101], [90, 91])).toBe(false);
  });
});
