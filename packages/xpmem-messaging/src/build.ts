import { SmmuError, TASK_SIZE, type Era, type Machine, type Mm, type Task } from '@secondary-mmu/core-mm';
import { xpmemGet, xpmemAttach, xpmemMake } from './api.js';
import { XPMEM_CAPABILITIES } from './capabilities.js';
import { xpmemDriverOf, type XpmemDriver } from './driver.js';
import { XpmemImporter } from './importer.js';
import { resolveXpmemOptions, type ResolvedXpmemOptions, type XpmemOptions } from './options.js';

/** How a factory is built: the driver's options, its name and the eras it declares. Kernel counterpart: none. */
export interface XpmemFactoryOptions extends XpmemOptions {
  /** The driver's, its devices' and its notifiers' name (default `xpmem`). */
  readonly name?: string;
  /** The eras it declares (default `rfc-2008` and `v6`: `v2.6.27` has no hook that may sleep). */
  readonly eras?: readonly Era[];
}

/**
 * An XPMEM driver as the testkit drives it (structurally its `DriverFactory`): `attach`
 * exports the whole user address space of `mm` as a segment made for the instance, and
 * a new importer partition gets and attaches it. Kernel counterpart: the xpmem module.
 */
export interface XpmemFactory {
  readonly name: string;
  readonly capabilities: typeof XPMEM_CAPABILITIES;
  readonly eras: readonly Era[];
  readonly options: ResolvedXpmemOptions;
  /** A new importer of a new segment over all of `mm` (`xpmem_make`, `xpmem_get`, `xpmem_attach`). */
  attach(task: Task, machine: Machine, mm: Mm): Promise<XpmemImporter>;
  /** This factory's driver on `machine` (its fabric, segments and counters), made on first use. */
  driverOn(machine: Machine): XpmemDriver;
}

/** @internal Build a factory in either recall mode; options checked now (EINVAL, nothing built). Kernel counterpart: none. */
export function buildXpmemFactory(options: XpmemFactoryOptions = {}): XpmemFactory {
  const resolved = resolveXpmemOptions(options);
  const name = options.name ?? 'xpmem';
  if (typeof name !== 'string' || name === '') throw new SmmuError('EINVAL', `xpmem: options.name must be a non-empty string, got ${String(name)}`);
  const eras = options.eras ?? (['rfc-2008', 'v6'] as const);
  const key = {};
  const driverOn = (machine: Machine): XpmemDriver => xpmemDriverOf(machine, key, name, resolved);
  return Object.freeze({
    name,
    capabilities: XPMEM_CAPABILITIES,
    eras: Object.freeze([...eras]),
    options: resolved,
    driverOn,
    async attach(task: Task, machine: Machine, mm: Mm): Promise<XpmemImporter> {
      const driver = driverOn(machine);
      const segment = await xpmemMake(task, driver, mm, 0, TASK_SIZE);
      const importer = new XpmemImporter(driver, mm);
      importer.madeFor.push(segment);
      await xpmemAttach(task, await xpmemGet(task, importer, segment));
      return importer;
    },
  });
}
