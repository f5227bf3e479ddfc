import { CONFORMANCE_ONLY_SCENARIOS } from '../conformance/scenarios/index.js';
import { loadScenario } from '../scenario/load.js';
import { SCENARIO_CATALOGUE } from '../scenario/catalogue/index.js';
import type { Scenario } from '../scenario/schema.js';
import type { KillMatrixVariant } from './types.js';

/** The variant's scenario, loaded: a catalogue or conformance name, else its YAML text. */
export function killMatrixScenario(variant: KillMatrixVariant): Scenario {
  const text = SCENARIO_CATALOGUE[variant.scenario] ?? CONFORMANCE_ONLY_SCENARIOS[variant.scenario] ?? variant.scenario;
  return loadScenario(text);
}
