import { ERAS, SmmuError, type Era, type Machine, type Mm, type Task } from '@secondary-mmu/core-mm';
import { GRU_CAPABILITIES } from './capabilities.js';
import { GRU_RULES, type GruRules } from './flavour.js';
import { GruInstance } from './instance.js';
import { GRU_NAME } from './notifier-ops.js';
import { resolveGruDeviceOptions, type GruDeviceOptions } from './options.js';
import { gruRegisterMmuNotifier } from './register.js';

/** How {@link createGruDriver} builds a driver. Kernel counterpart: none. */
export interface GruDriverOptions extends GruDeviceOptions {
  /** The driver's, its devices' and its notifier's name (default `gru`). */
  readonly name?: string;
  /** The rules it keeps (default all: {@link GRU_RULES}); the variants break one each. */
  readonly rules?: GruRules;
}

/**
 * A GRU driver as the testkit drives it: structurally the testkit's `DriverFactory`
 * (name, capabilities, eras, `attach`). Kernel counterpart: the sgi-gru module.
 */
export interface GruDriverFactory {
  readonly name: string;
  readonly capabilities: typeof GRU_CAPABILITIES;
  readonly eras: readonly Era[];
  /** Open a GRU device on `mm`: the mm's gms (registered on first use) and the device's contexts. */
  attach(task: Task, machine: Machine, mm: Mm): Promise<GruInstance>;
}

/**
 * Build a GRU driver; options are checked now (EINVAL naming the bad value, nothing
 * built). Kernel counterpart: none (module parameters at most).
 */
export function createGruDriver(options: GruDriverOptions = {}): GruDriverFactory {
  const device = resolveGruDeviceOptions(options);
  const name = options.name ?? GRU_NAME;
  if (typeof name !== 'string' || name === '') throw new SmmuError('EINVAL', `gru: options.name must be a non-empty string, got ${String(name)}`);
  const rules = options.rules ?? GRU_RULES;
  return Object.freeze({
    name,
    capabilities: GRU_CAPABILITIES,
    eras: ERAS,
    async attach(task: Task, machine: Machine, mm: Mm): Promise<GruInstance> {
      const gms = await gruRegisterMmuNotifier(task, machine, mm, rules);
      return new GruInstance(machine, mm, gms, rules, device, name);
    },
  });
}

/**
 * The GRU driver, correct in every era (`rfc-2008`, `v2.6.27`, `v6`): 8-entry TLBs, 2
 * contexts. Kernel counterpart: drivers/misc/sgi-gru, its mmu notifier in
 * grutlbpurge.c and its fault path in grufault.c.
 */
export const gru: GruDriverFactory = createGruDriver();
