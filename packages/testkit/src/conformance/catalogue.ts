import { SCENARIO_CATALOGUE } from '../scenario/catalogue/index.js';
import type { ConformanceCapability } from './capability.js';
import type { ConformanceScenario } from './scenario.js';
import { HMM_TESTS_SCENARIOS } from './hmm-tests/index.js';
import { CONFORMANCE_ONLY_SCENARIOS } from './scenarios/index.js';

/**
 * What a catalogue scenario needs of a driver, or `null` when it is not a conformance
 * scenario: a demonstration expecting violations (a correct driver has none). Absent:
 * every driver runs it.
 */
const CATALOGUE_NEEDS: Readonly<Record<string, readonly ConformanceCapability[] | null>> = {
  'access-vs-aging': ['implementsAging'],
  'idle-scan-vs-device-access': ['implementsAging'],
  'sleeping-invalidate': null,
};

const entries = (texts: Readonly<Record<string, string>>): ConformanceScenario[] =>
  Object.entries(texts).flatMap(([name, source]) => {
    const requires = CATALOGUE_NEEDS[name];
    if (requires === null) return [];
    return [requires === undefined ? { name, source } : { name, source, requires }];
  });

/**
 * The conformance suite's scenarios, in order: the scenario catalogue's race scenarios
 * (`SCENARIO_CATALOGUE` without its demonstrations; `access-vs-aging` needs
 * `implementsAging`), the suite's own (mprotect downgrade, fork + COW, exit,
 * `MADV_DONTNEED`, each racing device accesses), then the hmm-tests cases (sequential,
 * no windows).
 */
export const CONFORMANCE_SCENARIOS: readonly ConformanceScenario[] = Object.freeze([...entries(SCENARIO_CATALOGUE), ...entries(CONFORMANCE_ONLY_SCENARIOS), ...entries(HMM_TESTS_SCENARIOS)]);
