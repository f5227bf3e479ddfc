import type { Era } from '@secondary-mmu/core-mm';
import type { DriverFactory } from '../contract.js';
import { runScenario, type ScenarioResult } from '../scenario/run.js';
import type { Scenario } from '../scenario/schema.js';

/**
 * Run `scenario` with `driver` on the schedule `token` recorded (a token from
 * {@link explore} or from the runner): the runner's result for it. A token whose choices
 * no longer fit the run records a `divergence` violation.
 */
export function replay(scenario: Scenario, driver: DriverFactory, token: string, options: { readonly era: Era }): Promise<ScenarioResult> {
  return runScenario(scenario, driver, { era: options.era, replay: token });
}
