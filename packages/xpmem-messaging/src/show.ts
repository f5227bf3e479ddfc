import { SmmuError } from '@secondary-mmu/core-mm';

/** A value as a message shows it: strings quoted, objects as JSON. Kernel counterpart: none. */
export function show(value: unknown): string {
  return typeof value === 'string' || (typeof value === 'object' && value !== null) ? JSON.stringify(value) : String(value);
}

/**
 * `value` when it is an integer in `[min, max]`, `fallback` when undefined; else an
 * `EINVAL` `SmmuError` naming `field` and the value. Kernel counterpart: none.
 */
export function integerOption(field: string, value: unknown, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new SmmuError('EINVAL', `xpmem: options.${field} must be an integer in [${min}, ${max}], got ${show(value)}`);
  }
  return value;
}
