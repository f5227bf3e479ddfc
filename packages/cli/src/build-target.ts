import { factoryOf, resolveDriver, resolveVariant } from './drivers/resolve.js';
import type { RunTarget } from './run-target.js';
import { resolveScenario, type ResolvedScenario } from './scenarios/resolve.js';

/** What names a run target on the command line. Kernel counterpart: none. */
export interface TargetArgs {
  /** A catalogue name or a file path (or a scenario already resolved). */
  readonly scenario: string | ResolvedScenario;
  /** A built-in driver's name or a module path. */
  readonly driver: string;
  readonly variant?: string | undefined;
  readonly cwd?: string | undefined;
}

/**
 * Resolve the scenario, the driver and its variant, each failing with its own bad-input
 * error before anything runs. Kernel counterpart: none.
 */
export async function buildTarget(args: TargetArgs): Promise<RunTarget> {
  const scenario = typeof args.scenario === 'string' ? resolveScenario(args.scenario, args.cwd) : args.scenario;
  const driver = await resolveDriver(args.driver, args.cwd);
  const variant = args.variant === undefined ? null : await resolveVariant(driver, args.variant);
  return { scenario, driver, variant, factory: await factoryOf(driver, variant) };
}
