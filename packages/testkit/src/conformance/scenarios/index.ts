/*
 * The conformance suite's own scenarios (YAML texts, one per file), beyond the
 * scenario catalogue: each races a device access against one primary-MMU operation.
 */
import { DONTNEED_VS_DEVICE_FAULT } from './dontneed-vs-device-fault.js';
import { EXIT_VS_DEVICE_ACCESS } from './exit-vs-device-access.js';
import { FORK_COW_VS_DEVICE_WRITE } from './fork-cow-vs-device-write.js';
import { MPROTECT_VS_DEVICE_READ } from './mprotect-vs-device-read.js';

export { DONTNEED_VS_DEVICE_FAULT, EXIT_VS_DEVICE_ACCESS, FORK_COW_VS_DEVICE_WRITE, MPROTECT_VS_DEVICE_READ };

/**
 * The conformance-only scenarios: YAML texts by name, for `loadScenario`. Each passes
 * with a correct driver in every era it runs in and hits its window on some seeds of the
 * random strategy.
 */
export const CONFORMANCE_ONLY_SCENARIOS: Readonly<Record<string, string>> = {
  'mprotect-vs-device-read': MPROTECT_VS_DEVICE_READ,
  'fork-cow-vs-device-write': FORK_COW_VS_DEVICE_WRITE,
  'exit-vs-device-access': EXIT_VS_DEVICE_ACCESS,
  'dontneed-vs-device-fault': DONTNEED_VS_DEVICE_FAULT,
};
