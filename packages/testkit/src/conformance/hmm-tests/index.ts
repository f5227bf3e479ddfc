/*
 * The applicable cases of the kernel's own suite, tools/testing/selftests/mm/hmm-tests.c,
 * as scenarios any driver runs: sequential (fifo, each step ordered after the ones it
 * needs by `after`), no race windows. Migration to device memory, snapshots and
 * exclusive access need device-private memory, which the model does not have;
 * `anon_teardown` is `fault-vs-munmap`, the fork cases `fork-cow-vs-device-write`.
 */
import { scenarioTexts } from '../../scenarios/registry.js';

export { HMM_ANON_READ, HMM_ANON_WRITE, HMM_FILE_READ_WRITE, HMM_READ_PROT_NONE, HMM_TWO_DEVICES, HMM_WRITE_READ_ONLY } from '../../scenarios/index.js';

/** The hmm-tests scenarios: YAML texts by name, for `loadScenario` (the registry's `hmm-test` entries). */
export const HMM_TESTS_SCENARIOS: Readonly<Record<string, string>> = scenarioTexts('hmm-test');
