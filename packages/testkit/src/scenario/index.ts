/*
 * Scenarios: a YAML/JSON format shared with the CLI (`run FILE`), its loader with
 * line-numbered errors, the runner and race-window matching, and the catalogue.
 */
export { loadScenario, parseScenario, MAX_SCENARIO_ALIASES, type LoadScenarioOptions } from './load.js';
export { scenarioJsonSchema } from './json-schema.js';
export { runScenario, type RunScenarioOptions, type ScenarioResult } from './run.js';
export { COPY_FROM_PAGES, type WorldSource } from './world-template.js';
export { ScenarioError, type ScenarioIssue } from './errors.js';
export { parseAddress, type ScenarioAddress } from './address.js';
export {
  scenarioSchema,
  SCENARIO_FORMAT_VERSION,
  stepSchema,
  windowElementSchema,
  STEP_ERROR_CODES,
  SCENARIO_PROTS,
  MAPPING_KINDS,
  WINDOW_CALLBACKS,
  WINDOW_EVENTS,
  DEVICE_OPS,
  SHARED_OPS,
  type Scenario,
  type ScenarioProcess,
  type ScenarioMapping,
  type ScenarioDriver,
  type ScenarioTask,
  type ScenarioStep,
  type CpuStep,
  type DeviceStep,
  type ScenarioWindow,
  type WindowElement,
} from './schema.js';
export { matchWindows } from './windows.js';
export { adaptWindows } from './adapt-windows.js';
export { NO_DEVICE_LATENCY, formatDeviceLatency, type DeviceLatency } from './device-latency.js';
export type { ScenarioWorld, BuiltDriver, BuiltMapping, ReclaimTarget } from './world.js';
export { SCENARIO_CATALOGUE, ACCESS_VS_RECLAIM, FAULT_VS_MUNMAP, WRITEBACK_VS_DEVICE_WRITE } from './catalogue/index.js';
