import { checkVariantList } from './variant-list.js';
import type { CountersReader, DriverEntry } from './types.js';
import { factoryExport, specifierUrl } from './import-factory.js';

/** How a built-in driver is found: its module and export, and those of its variants. Kernel counterpart: none. */
export interface BuiltinDriverSpec {
  readonly name: string;
  readonly description: string;
  /** A package specifier and the export naming its `DriverFactory` (worker threads import it by these). */
  readonly module: string;
  readonly export: string;
  /** Import `module`: a literal `import()`, so a bundler sees it. */
  readonly load: () => Promise<object>;
  /** Import its list of variants (kill-matrix entries, a driver's `./variants`); only those whose `reference` is this driver are its. */
  readonly variants?: () => Promise<unknown>;
  readonly counters?: CountersReader;
  /** See `DriverEntry.historical`. */
  readonly historical?: string;
}

/**
 * A registry entry from a {@link BuiltinDriverSpec}: nothing is imported until the
 * driver or its variants are asked for, so `drivers` and `--help` stay fast. Kernel
 * counterpart: none.
 */
export function builtinDriver(spec: BuiltinDriverSpec): DriverEntry {
  return {
    name: spec.name,
    description: spec.description,
    get reference() {
      return { module: specifierUrl(spec.module), export: spec.export };
    },
    load: async () => factoryExport(await spec.load(), spec),
    async variants() {
      if (spec.variants === undefined) return [];
      return checkVariantList(await spec.variants(), `variants of ${spec.name}`).filter((v) => v.reference === undefined || v.reference.name === spec.name);
    },
    ...(spec.counters === undefined ? {} : { counters: spec.counters }),
    ...(spec.historical === undefined ? {} : { historical: spec.historical }),
  };
}
