import type { DriverCapabilities } from '@secondary-mmu/testkit';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { BUILTIN_DRIVERS } from '../drivers/registry.js';
import { resolveDriver } from '../drivers/resolve.js';
import type { DriverEntry } from '../drivers/types.js';
import type { Io } from '../output/io.js';
import { formatTable } from '../output/table.js';

/** One driver in `drivers --json`. Kernel counterpart: none. */
export interface DriverListing {
  readonly name: string;
  /** `builtin`, or the module path a third-party driver was given by. */
  readonly source: string;
  readonly description: string;
  readonly eras: readonly string[];
  /** What the driver declares (compare's semantics table measures it instead). */
  readonly capabilities: DriverCapabilities;
  readonly variants: readonly { readonly name: string; readonly bug: string }[];
}

/** The built-in drivers, then the modules named by `--driver` (each imported and checked). Kernel counterpart: none. */
export async function listDrivers(modules: readonly string[] = [], cwd?: string): Promise<DriverListing[]> {
  const entries: DriverEntry[] = [...BUILTIN_DRIVERS];
  for (const m of modules) entries.push(await resolveDriver(m, cwd));
  const out: DriverListing[] = [];
  for (const e of entries) {
    const f = await e.load();
    const variants = await e.variants();
    out.push({ name: e.name, source: e.path ?? 'builtin', description: e.description, eras: f.eras, capabilities: f.capabilities, variants: variants.map((v) => ({ name: v.name, bug: v.bug })) });
  }
  return out;
}

/** `secondary-mmu drivers [--driver ./module.js...] [--json]`. Kernel counterpart: none. */
export async function driversCommand(options: { readonly driver?: readonly string[]; readonly json?: boolean; readonly cwd?: string }, io: Io): Promise<ExitCode> {
  const list = await listDrivers(options.driver ?? [], options.cwd);
  if (options.json === true) {
    io.out(`${JSON.stringify(list, null, 2)}\n`);
    return EXIT.ok;
  }
  const c = io.color;
  io.out(formatTable(['driver', 'eras', 'variants', 'description'], list.map((d) => [c.bold(d.name), d.eras.join(' '), String(d.variants.length), d.description + (d.source === 'builtin' ? '' : c.dim(` (${d.source})`))])));
  io.out(c.dim('\nvariants: `secondary-mmu drivers --json`; explore one with `secondary-mmu explore <scenario> --driver <name> --variant <variant>`\n'));
  return EXIT.ok;
}
