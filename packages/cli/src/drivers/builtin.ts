import { checkVariantList } from './variant-list.js';
import type { CountersReader, DriverEntry } from './types.js';
import { importFactory, specifierUrl } from './import-factory.js';

/** How a built-in driver is found: its module and export, and those of its variants. Kernel counterpart: none. */
export interface BuiltinDriverSpec {
  readonly name: string;
  readonly description: string;
  /** A package specifier and the export naming its `DriverFactory`. */
  readonly module: string;
  readonly export: string;
  /** A module exporting a list of variants (kill-matrix entries, a driver's `./variants`); only those whose `reference` is this driver are its. */
  readonly variants?: { readonly module: string; readonly export: string };
  readonly counters?: CountersReader;
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
    load: () => importFactory(spec.module, spec.export, spec.name),
    async variants() {
      if (spec.variants === undefined) return [];
      const mod = (await import(spec.variants.module)) as Record<string, unknown>;
      return checkVariantList(mod[spec.variants.export], `${spec.variants.module} ${spec.variants.export}`).filter((v) => v.reference === undefined || v.reference.name === spec.name);
    },
    ...(spec.counters === undefined ? {} : { counters: spec.counters }),
  };
}
