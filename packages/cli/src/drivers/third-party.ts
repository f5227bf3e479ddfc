import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CliError } from '../cli-error.js';
import type { DriverFactory } from '@secondary-mmu/testkit';
import { isDriverFactoryLike } from './factory-shape.js';
import type { CountersReader, DriverEntry } from './types.js';
import { checkVariantList } from './variant-list.js';

/** True when a `--driver` value names a module file rather than a built-in (it has a path separator or a JavaScript extension). Kernel counterpart: none. */
export function isModulePath(value: string): boolean {
  return value.includes('/') || value.includes('\\') || /\.(c|m)?js$/.test(value);
}

/**
 * Import a third-party driver module (`--driver ./my-driver.js`, relative to `cwd`). The
 * module contract (docs/cli.md): its `default` export, or else its `driver` export, is a
 * `DriverFactory`; optional exports are `description` (a one-line string), `variants` (a
 * list of `{ name, bug, driver, scenario?, era? }`) and `counters(instance)` (returning
 * `{ tlbFlushes?, deviceFaults?, retries? }`). A missing file, a module that throws while
 * it loads, or one without a factory is a `bad-driver-module` error naming the path.
 * Kernel counterpart: none (model machinery).
 */
export async function loadThirdPartyDriver(file: string, cwd: string = process.cwd()): Promise<DriverEntry> {
  const absolute = path.resolve(cwd, file);
  const url = pathToFileURL(absolute).href;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (error) {
    const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new CliError('bad-driver-module', file, `cannot load driver module ${file}: ${why}`);
  }
  const exportName = isDriverFactoryLike(mod.default) ? 'default' : isDriverFactoryLike(mod.driver) ? 'driver' : null;
  if (exportName === null) {
    throw new CliError('bad-driver-module', file, `driver module ${file} exports no DriverFactory as "default" or "driver" (it exports ${Object.keys(mod).join(', ') || 'nothing'})`);
  }
  const factory = mod[exportName] as DriverFactory;
  const counters = typeof mod.counters === 'function' ? (mod.counters as CountersReader) : undefined;
  const variants = mod.variants === undefined ? [] : checkVariantList(mod.variants, `${file} variants`);
  return {
    name: factory.name,
    path: absolute,
    description: typeof mod.description === 'string' ? mod.description : `third-party driver from ${file}`,
    reference: { module: url, export: exportName },
    load: () => Promise.resolve(factory),
    variants: () => Promise.resolve(variants),
    ...(counters === undefined ? {} : { counters }),
  };
}
