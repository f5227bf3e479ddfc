// How an exploration's schedule indices are cut into the batches its worker threads take.
import { describe, expect, it } from 'vitest';
import { batchesOf } from '../src/explore/pooled-schedules.js';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

describe('batchesOf', () => {
  it('covers every index once, in order, in batches of 1 to 64', () => {
    for (const [n, threads] of [[1, 2], [7, 2], [2000, 2], [5999, 2], [100_000, 8]] as const) {
      const batches = batchesOf(range(n), threads);
      expect(batches.flat()).toEqual(range(n));
      for (const b of batches) expect(b.length).toBeGreaterThanOrEqual(1);
      for (const b of batches) expect(b.length).toBeLessThanOrEqual(64);
    }
  });

  it('starts at 4 and doubles, so a failure among the first schedules wastes little', () => {
    expect(batchesOf(range(6000), 2).slice(0, 5).map((b) => b.length)).toEqual([4, 8, 16, 32, 64]);
  });

  it('shrinks as the work runs out: the last batches are single schedules, none longer than a quarter of what is left per thread', () => {
    const indices = range(6000);
    const batches = batchesOf(indices, 2);
    expect(batches.at(-1)!.length).toBe(1);
    let left = indices.length;
    for (const b of batches) {
      expect(b.length).toBeLessThanOrEqual(Math.max(1, Math.ceil(left / 8)));
      left -= b.length;
    }
  });

  it('caps a short exploration at an eighth of each thread’s share', () => {
    expect(Math.max(...batchesOf(range(160), 2).map((b) => b.length))).toBeLessThanOrEqual(10);
  });
});
