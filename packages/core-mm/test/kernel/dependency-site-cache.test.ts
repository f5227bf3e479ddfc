// Lockdep's per-process dependency sites: the first site of a class pair is kept for
// the process, keyed by the ordered pair, up to a bound (MAX_SITES, 4096 pairs) past
// which each new pair's site is captured per edge again and nothing more is kept.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { LockClass } from '../../src/kernel/check/lock-class.js';

let dependencySite: (from: LockClass, to: LockClass) => string;
/** Captures made: the stand-in capture numbers its sites, so a kept site is the same string again. */
let captures = 0;

beforeEach(async () => {
  // A fresh module per test: the cache is process-wide state, counted here from empty.
  vi.resetModules();
  captures = 0;
  vi.doMock('../../src/kernel/check/site.js', () => ({ captureSite: () => `site ${++captures}` }));
  ({ dependencySite } = await import('../../src/kernel/check/dependency-sites.js'));
});

/** Only the key is read: the class's identity across machines. */
const cls = (key: string): LockClass => ({ key }) as LockClass;

describe('dependency sites: one per class pair per process', () => {
  it("keeps the pair's first site, captured once; another pair gets its own", () => {
    const [a, b, c, d] = [cls('A'), cls('B'), cls('C'), cls('D')];
    expect(dependencySite(a, b)).toBe('site 1');
    expect(dependencySite(a, b)).toBe('site 1');
    expect(dependencySite(cls('A'), cls('B'))).toBe('site 1'); // by key, not by object
    expect(dependencySite(c, d)).toBe('site 2');
    expect(captures).toBe(2);
  });

  it('the key is the ordered pair: A -> B, B -> A and A -> C are three dependencies', () => {
    const [a, b, c] = [cls('A'), cls('B'), cls('C')];
    expect(dependencySite(a, b)).toBe('site 1');
    expect(dependencySite(b, a)).toBe('site 2');
    expect(dependencySite(a, c)).toBe('site 3');
    // A second pair after A keeps the first one's site.
    expect(dependencySite(a, b)).toBe('site 1');
    expect(dependencySite(a, c)).toBe('site 3');
    expect(dependencySite(b, a)).toBe('site 2');
    expect(captures).toBe(3);
  });

  it('keeps 4096 pairs; past them each new pair is captured per edge, the kept ones stay', () => {
    const to = cls('to');
    for (let i = 0; i < 4095; i++) dependencySite(cls(`from ${i}`), to);
    expect(dependencySite(cls('last'), to)).toBe('site 4096'); // the 4096th pair: kept
    expect(dependencySite(cls('last'), to)).toBe('site 4096');
    expect(dependencySite(cls('past'), to)).toBe('site 4097'); // the 4097th: not kept
    expect(dependencySite(cls('past'), to)).toBe('site 4098');
    // Nor a new pair after a class already in the cache.
    expect(dependencySite(cls('from 0'), cls('past'))).toBe('site 4099');
    expect(dependencySite(cls('from 0'), cls('past'))).toBe('site 4100');
    expect(dependencySite(cls('from 0'), to)).toBe('site 1');
    expect(dependencySite(cls('from 4094'), to)).toBe('site 4095');
    expect(captures).toBe(4100);
  });
});
