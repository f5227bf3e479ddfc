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

/** The export `spec.export` of the imported module `mod`, checked to be a `DriverFactory`. Kernel counterpart: none. */
export function factoryExport(mod: object, spec: { readonly name: string; readonly module: string; readonly export: string }): DriverFactory {
  const factory = (mod as Record<string, unknown>)[spec.export];
  if (!isDriverFactoryLike(factory)) throw new CliError('bad-driver-module', spec.module, `driver "${spec.name}": export "${spec.export}" of ${spec.module} is not a DriverFactory`);
  return factory;
}
