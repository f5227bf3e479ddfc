import { SCENARIO_CATALOGUE } from '../scenario/catalogue/index.js';
import type { ConformanceScenario } from './scenario.js';
import { CONFORMANCE_ONLY_SCENARIOS } from './scenarios/index.js';

const entries = (texts: Readonly<Record<string, string>>): ConformanceScenario[] => Object.entries(texts).map(([name, source]) => ({ name, source }));

/**
 * The conformance suite's scenarios, in order: the scenario catalogue's
 * (`SCENARIO_CATALOGUE`), then the suite's own (mprotect downgrade, fork + COW, exit,
 * `MADV_DONTNEED`, each racing device accesses). None requires a capability: every
 * driver runs all of them in each era it declares.
 */
export const CONFORMANCE_SCENARIOS: readonly ConformanceScenario[] = Object.freeze([...entries(SCENARIO_CATALOGUE), ...entries(CONFORMANCE_ONLY_SCENARIOS)]);
