import { expect } from 'vitest';
import type { Violation } from '../../src/index.js';

/*
 * Shared by the lock tests. Nothing here takes a lock: a violation's site is the first
 * frame outside the model, and the tests expect it to name their own file.
 */

/** A lock operation on a direct task must complete synchronously. */
export function sync(result: void | Promise<void>): void {
  expect(result).toBeUndefined();
}

/** What `fn` throws; it must throw. */
export function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

/** The kinds of `vs`, in order. */
export function kinds(vs: readonly Violation[]): string[] {
  return vs.map((v) => v.kind);
}
