/*
 * The applicable cases of the kernel's own suite, tools/testing/selftests/mm/hmm-tests.c
 * , as scenarios any driver runs: sequential (fifo, ordered by virtual
 * time), no race windows. Migration to device memory, snapshots and exclusive access need
 * device-private memory, which the model does not have; `anon_teardown` is
 * `fault-vs-munmap`, the fork cases `fork-cow-vs-device-write`.
 */
import { HMM_ANON_READ } from './anon-read.js';
import { HMM_ANON_WRITE } from './anon-write.js';
import { HMM_FILE_READ_WRITE } from './file-read-write.js';
import { HMM_READ_PROT_NONE } from './read-prot-none.js';
import { HMM_TWO_DEVICES } from './two-devices.js';
import { HMM_WRITE_READ_ONLY } from './write-read-only.js';

export { HMM_ANON_READ, HMM_ANON_WRITE, HMM_FILE_READ_WRITE, HMM_READ_PROT_NONE, HMM_TWO_DEVICES, HMM_WRITE_READ_ONLY };

/** The hmm-tests scenarios: YAML texts by name, for `loadScenario`. */
export const HMM_TESTS_SCENARIOS: Readonly<Record<string, string>> = {
  'hmm-anon-read': HMM_ANON_READ,
  'hmm-read-prot-none': HMM_READ_PROT_NONE,
  'hmm-anon-write': HMM_ANON_WRITE,
  'hmm-write-read-only': HMM_WRITE_READ_ONLY,
  'hmm-file-read-write': HMM_FILE_READ_WRITE,
  'hmm-two-devices': HMM_TWO_DEVICES,
};
