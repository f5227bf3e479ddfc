import type { DriverFactory } from '@secondary-mmu/testkit';

/**
 * True when `value` has a `DriverFactory`'s shape (a name, capabilities, a list of eras
 * and `attach`): what the CLI checks before naming the module's fault. The testkit
 * checks every field again when the driver runs. Kernel counterpart: none.
 */
export function isDriverFactoryLike(value: unknown): value is DriverFactory {
  if (value === null || typeof value !== 'object') return false;
  const f = value as Partial<Record<keyof DriverFactory, unknown>>;
  return typeof f.name === 'string' && typeof f.attach === 'function' && Array.isArray(f.eras) && typeof f.capabilities === 'object' && f.capabilities !== null;
}
