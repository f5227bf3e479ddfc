import { isDriverFactoryLike } from './factory-shape.js';
import { CliError } from '../cli-error.js';
import type { DriverFactory } from '@secondary-mmu/testkit';

/**
 * A package specifier as a `file:` URL resolved from this package (so a worker thread
 * finds the same file wherever it runs), or the specifier itself where the runtime
 * cannot resolve (a test runner without `import.meta.resolve`). Kernel counterpart: none.
 */
export function specifierUrl(specifier: string): string {
  try {
    return typeof import.meta.resolve === 'function' ? import.meta.resolve(specifier) : specifier;
  } catch {
    return specifier;
  }
}

/** Import `module` and return its export `name`, checked to be a `DriverFactory`. Kernel counterpart: none. */
export async function importFactory(module: string, name: string, driver: string): Promise<DriverFactory> {
  const mod = (await import(module)) as Record<string, unknown>;
  const factory = mod[name];
  if (!isDriverFactoryLike(factory)) throw new CliError('bad-driver-module', module, `driver "${driver}": export "${name}" of ${module} is not a DriverFactory`);
  return factory;
}
