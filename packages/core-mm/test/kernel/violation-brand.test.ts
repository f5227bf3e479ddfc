/**
 * A ViolationError thrown by another copy of core-mm (a bundled duplicate) is still a
 * ViolationError to this one: the class is recognised by its registered brand
 * (`@secondary-mmu/core-mm:ViolationError`), and an error without it is not one.
 */
import { describe, expect, it } from 'vitest';
import { ViolationError } from '../../src/index.js';

describe('ViolationError across package copies', () => {
  it('recognises an object carrying the ViolationError brand, and nothing without it', () => {
    const fromOtherCopy = { [Symbol.for('@secondary-mmu/core-mm:ViolationError')]: true };
    expect(fromOtherCopy instanceof ViolationError).toBe(true);
    expect({ [Symbol.for('')]: true } instanceof ViolationError).toBe(false);
    expect(new Error('x') instanceof ViolationError).toBe(false);
  });
});
