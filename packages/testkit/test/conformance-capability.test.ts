// missingCapability: which capability a conformance scenario needs and a driver lacks —
// the one test that skips a case by capability.
import { describe, expect, it } from 'vitest';
import { NO_CAPABILITIES } from '../src/capabilities.js';
import { missingCapability } from '../src/conformance/capability.js';

const caps = { ...NO_CAPABILITIES, mayBlock: true };

describe('missingCapability', () => {
  it('a declared flag must be true: the first one false (in the order required) is missing', () => {
    expect(missingCapability(['mayBlock'], caps)).toBeUndefined();
    expect(missingCapability(['mayBlock', 'implementsAging', 'holdsPageRefs'], caps)).toBe('implementsAging');
    expect(missingCapability(['holdsPageRefs', 'implementsAging'], caps)).toBe('holdsPageRefs');
    expect(missingCapability([], caps)).toBeUndefined();
  });

  it('prefetch is missing only when declared false; undecided, the run finds out', () => {
    expect(missingCapability(['prefetch'], { ...caps, prefetch: false })).toBe('prefetch');
    expect(missingCapability(['prefetch'], { ...caps, prefetch: true })).toBeUndefined();
    expect(missingCapability(['prefetch'], caps)).toBeUndefined();
    expect(missingCapability(['prefetch', 'mayBlock'], { ...caps, mayBlock: false })).toBe('mayBlock');
  });
});
