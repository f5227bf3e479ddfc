import { adaptWindows } from '../scenario/adapt-windows.js';
import type { Scenario } from '../scenario/schema.js';

/**
 * `scenario` with its trace patterns adapted for interval-notifier drivers: every
 * element naming `invalidate_range_start` also names `interval_invalidate`. The same
 * function as `adaptWindows`, which `runScenario` (and so `explore` and `checkDriver`)
 * applies to every run; kept under this name for existing callers.
 */
export function withIntervalCallbacks(scenario: Scenario): Scenario {
  return adaptWindows(scenario);
}
