import { ERAS, type Era } from '@secondary-mmu/core-mm';
import type { DriverCapabilities } from '@secondary-mmu/testkit';
import { buildTarget } from '../build-target.js';
import { CliError } from '../cli-error.js';
import { BUILTIN_DRIVERS } from '../drivers/registry.js';
import { checkEra, type RunTarget } from '../run-target.js';
import { findScenario } from '../scenarios/catalogue.js';

/**
 * The scenarios `compare` runs by default: the seed thread's races (fault, reclaim,
 * aging, writeback, OOM), a fork and an mremap, and the sleeping-invalidate
 * demonstration — small runs, so the default comparison prints in seconds. Kernel
 * counterpart: none.
 */
export const DEFAULT_COMPARE_SCENARIOS: readonly string[] = Object.freeze([
  'fault-vs-munmap',
  'access-vs-reclaim',
  'access-vs-aging',
  'writeback-vs-device-write',
  'oom-kill-vs-device-access',
  'fork-cow-vs-device-write',
  'mremap-vs-device-access',
  'sleeping-invalidate',
]);

/** One cell to run: the target and era, and the capabilities the scenario requires that the driver does not declare. Kernel counterpart: none. */
export interface PlannedCell {
  readonly target: RunTarget;
  readonly era: Era;
  readonly requiresUndeclared: readonly string[];
}

/** `--era` values: eras or `all` (default all). */
function erasOf(values: readonly string[] | undefined): Era[] {
  if (values === undefined || values.length === 0 || values.includes('all')) {
    for (const v of values ?? []) if (v !== 'all') checkEra(v);
    return [...ERAS];
  }
  const chosen = values.map(checkEra);
  return ERAS.filter((e) => chosen.includes(e));
}

/** The capabilities `target`'s scenario requires that its driver does not declare (`prefetch` aside: scenarios skip it). Kernel counterpart: none. */
export function requiresUndeclared(target: RunTarget): string[] {
  const requires = findScenario(target.scenario.scenario.name)?.requires ?? [];
  return requires.filter((c) => c !== 'prefetch' && !target.factory.capabilities[c as keyof DriverCapabilities]);
}

/**
 * Every cell of drivers × scenarios × eras where the driver and the scenario are both for
 * the era, resolved before anything runs (an unknown name is bad input). Kernel
 * counterpart: none.
 */
export async function planComparison(options: { readonly era?: readonly string[]; readonly driver?: readonly string[]; readonly scenario?: readonly string[]; readonly cwd?: string }): Promise<PlannedCell[]> {
  const eras = erasOf(options.era);
  const drivers = options.driver === undefined || options.driver.length === 0 ? BUILTIN_DRIVERS.map((d) => d.name) : options.driver;
  const scenarios = options.scenario === undefined || options.scenario.length === 0 ? DEFAULT_COMPARE_SCENARIOS : options.scenario;
  const cells: PlannedCell[] = [];
  for (const driver of drivers) {
    for (const scenario of scenarios) {
      const target = await buildTarget({ scenario, driver, cwd: options.cwd });
      const undeclared = requiresUndeclared(target);
      for (const era of eras) {
        if (!target.factory.eras.includes(era) || (target.scenario.scenario.eras !== undefined && !target.scenario.scenario.eras.includes(era))) continue;
        cells.push({ target, era, requiresUndeclared: undeclared });
      }
    }
  }
  if (cells.length === 0) throw new CliError('nothing-to-compare', eras.join(','), `no driver and scenario given share an era among ${eras.join(', ')}`);
  return cells;
}
