import type { DriverFactory } from '@secondary-mmu/testkit';
import type { Era } from '@secondary-mmu/core-mm';
import { CliError } from '../cli-error.js';
import { isDriverFactoryLike } from './factory-shape.js';
import type { DriverVariant } from './types.js';

/** A variant as a list holds it, with the driver it breaks when it says. Kernel counterpart: none. */
export type ListedVariant = DriverVariant & { readonly reference?: DriverFactory };

/**
 * `value` checked as a list of variants (`{ name, bug, driver, reference?, scenario?,
 * era? }`): a `bad-driver-module` error naming `where` and the first bad entry
 * otherwise. Kernel counterpart: none.
 */
export function checkVariantList(value: unknown, where: string): ListedVariant[] {
  if (!Array.isArray(value)) throw new CliError('bad-driver-module', where, `${where}: variants must be a list, got ${typeof value}`);
  return value.map((v: unknown, i) => {
    const o = (v ?? {}) as Record<string, unknown>;
    if (typeof o.name !== 'string' || typeof o.bug !== 'string' || !isDriverFactoryLike(o.driver)) {
      throw new CliError('bad-driver-module', where, `${where}: variants[${i}] must be { name, bug, driver } with driver a DriverFactory`);
    }
    return {
      name: o.name,
      bug: o.bug,
      driver: o.driver,
      ...(isDriverFactoryLike(o.reference) ? { reference: o.reference } : {}),
      ...(typeof o.scenario === 'string' ? { scenario: o.scenario } : {}),
      ...(typeof o.era === 'string' ? { era: o.era as Era } : {}),
    };
  });
}
