/*
 * The applicable cases of the kernel's own suite, tools/testing/selftests/mm/hmm-tests.c,
 * as scenarios any driver runs, without race windows: sequential (fifo, each step ordered
 * after the ones it needs by `after`), but `hmm-anon-teardown`, whose unmap races the
 * device's reads on the seeded random schedule. Migration to device memory, snapshots
 * and exclusive access need device-private memory, which the model does not have; the
 * fork cases are `fork-cow-vs-device-write`.
 */
import { scenarioTexts } from '../../scenarios/registry.js';

export { HMM_ANON_READ, HMM_ANON_TEARDOWN, HMM_ANON_WRITE, HMM_ANON_WRITE_PROT, HMM_DOUBLE_MAP, HMM_FILE_READ_WRITE, HMM_READ_PROT_NONE, HMM_TWO_DEVICES_SHARE_WRITES } from '../../scenarios/index.js';

/** The hmm-tests scenarios: YAML texts by name, for `loadScenario` (the registry's `hmm-test` entries). */
export const HMM_TESTS_SCENARIOS: Readonly<Record<string, string>> = scenarioTexts('hmm-test');
