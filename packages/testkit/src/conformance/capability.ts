import type { DriverCapabilities } from '../capabilities.js';

/**
 * A capability a conformance scenario may require: a declared `DriverCapabilities`
 * flag (which must be true), or `prefetch` (the instance implements the optional
 * `DriverInstance.prefetch`).
 */
export type ConformanceCapability = keyof DriverCapabilities | 'prefetch';

/**
 * What the suite knows of a driver: its declared capabilities, and whether its instances
 * prefetch (`undefined`: not declared — found out when a run tries).
 */
export type ConformanceCapabilities = DriverCapabilities & { readonly prefetch?: boolean | undefined };

/**
 * The first capability in `requires` that `capabilities` lacks, or undefined. `prefetch`
 * counts as lacking only when declared false (otherwise the run finds out).
 */
export function missingCapability(requires: readonly ConformanceCapability[], capabilities: ConformanceCapabilities): ConformanceCapability | undefined {
  return requires.find((c) => (c === 'prefetch' ? capabilities.prefetch === false : !capabilities[c]));
}
