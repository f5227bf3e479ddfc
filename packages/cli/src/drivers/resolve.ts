import type { DriverFactory } from '@secondary-mmu/testkit';
import { CliError } from '../cli-error.js';
import { BUILTIN_DRIVERS } from './registry.js';
import { isModulePath, loadThirdPartyDriver } from './third-party.js';
import type { DriverEntry, DriverVariant } from './types.js';

/**
 * The registry entry a `--driver` value names: a built-in by name, or a module by path.
 * An unknown name is an `unknown-driver` error listing the built-ins. Kernel counterpart: none.
 */
export async function resolveDriver(value: string, cwd?: string): Promise<DriverEntry> {
  if (isModulePath(value)) return loadThirdPartyDriver(value, cwd);
  const entry = BUILTIN_DRIVERS.find((d) => d.name === value);
  if (entry === undefined) throw new CliError('unknown-driver', value, `unknown driver "${value}": one of ${BUILTIN_DRIVERS.map((d) => d.name).join(', ')}, or a module path such as ./my-driver.js`);
  return entry;
}

/**
 * The variant `name` of `entry`: its full name (`kvm-spte-no-retry-check`) or without the
 * driver's prefix (`no-retry-check`). An unknown one is an `unknown-variant` error
 * listing the driver's variants. Kernel counterpart: none.
 */
export async function resolveVariant(entry: DriverEntry, name: string): Promise<DriverVariant> {
  const variants = await entry.variants();
  const found = variants.find((v) => v.name === name || v.name === `${entry.name}-${name}`);
  if (found !== undefined) return found;
  const known = variants.length === 0 ? 'it has none' : `one of ${variants.map((v) => v.name).join(', ')}`;
  throw new CliError('unknown-variant', name, `driver "${entry.name}" has no variant "${name}": ${known}`);
}

/** The factory to run: the variant's when one is named, else the driver's own. Kernel counterpart: none. */
export async function factoryOf(entry: DriverEntry, variant: DriverVariant | null): Promise<DriverFactory> {
  return variant === null ? entry.load() : variant.driver;
}
