import { SCENARIO_REGISTRY } from '../scenarios/registry.js';
import type { ConformanceScenario } from './scenario.js';

/**
 * The conformance suite's scenarios, in the registry's order (`SCENARIO_REGISTRY`
 * without its demonstrations): the scenario catalogue's race scenarios
 * (`access-vs-aging` and `idle-scan-vs-device-access` need `implementsAging`), the
 * suite's own (mprotect downgrade, fork + COW, exit, `MADV_DONTNEED`, each racing device
 * accesses), then the hmm-tests cases (sequential, no windows).
 */
export const CONFORMANCE_SCENARIOS: readonly ConformanceScenario[] = Object.freeze(
  SCENARIO_REGISTRY.filter((e) => e.conformance).map((e) => (e.requires.length === 0 ? { name: e.name, source: e.yaml } : { name: e.name, source: e.yaml, requires: e.requires })),
);
