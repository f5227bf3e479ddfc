import { hasBrand } from '@secondary-mmu/core-mm';
import type { TestkitArgumentError } from '../arguments.js';

const BRAND = Symbol.for('@secondary-mmu/testkit:TestkitArgumentError');

/** True when `error` is a `TestkitArgumentError` of any copy of the package (a brand check, not `instanceof`). */
export function isTestkitArgumentError(error: unknown): error is TestkitArgumentError {
  return hasBrand(error, BRAND);
}
