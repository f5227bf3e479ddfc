import { loadScenario, parseScenario } from '../scenario/load.js';
import type { Scenario } from '../scenario/schema.js';
import type { ConformanceCapability } from './capability.js';

/** A scenario of the conformance suite: a scenario (YAML/JSON text or object) and what it needs of a driver. */
export interface ConformanceScenario {
  /** Its name in the report (the scenario's own `name` is used for the run). */
  readonly name: string;
  /** The scenario: YAML (or JSON) text as `loadScenario` reads it, or a scenario object. */
  readonly source: string | Scenario;
  /** Capabilities a driver must have for it to run; lacking one skips it (and the report says which). */
  readonly requires?: readonly ConformanceCapability[];
}

/** A conformance scenario loaded and validated. */
export interface LoadedConformanceScenario {
  readonly name: string;
  readonly scenario: Scenario;
  readonly requires: readonly ConformanceCapability[];
}

/** Load and validate `spec`'s scenario; a bad one throws the loader's `ScenarioError` (`EINVAL`). */
export function loadConformanceScenario(spec: ConformanceScenario): LoadedConformanceScenario {
  const scenario = typeof spec.source === 'string' ? loadScenario(spec.source, { source: spec.name }) : parseScenario(spec.source, spec.name);
  return { name: spec.name, scenario, requires: spec.requires ?? [] };
}
