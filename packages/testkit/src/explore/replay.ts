import type { Era } from '@secondary-mmu/core-mm';
import type { DriverFactory } from '../contract.js';
import type { DeviceLatency } from '../scenario/device-latency.js';
import { runScenario, type ScenarioResult } from '../scenario/run.js';
import type { Scenario } from '../scenario/schema.js';

/**
 * Run `scenario` with `driver` on the schedule `token` recorded (a token from
 * {@link explore} or from the runner): the runner's result for it. A token whose choices
 * no longer fit the run records a `divergence` violation. A token recorded with a device
 * latency replays only with the same `deviceLatency`.
 */
export function replay(scenario: Scenario, driver: DriverFactory, token: string, options: { readonly era: Era; readonly deviceLatency?: DeviceLatency }): Promise<ScenarioResult> {
  return runScenario(scenario, driver, { era: options.era, replay: token, ...(options.deviceLatency === undefined ? {} : { deviceLatency: options.deviceLatency }) });
}
