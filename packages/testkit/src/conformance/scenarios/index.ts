/*
 * The conformance suite's own scenarios beyond the catalogue — each races a device
 * access against one primary-MMU operation — as the registry's `conformance` entries.
 */
import { scenarioTexts } from '../../scenarios/registry.js';

export { DONTNEED_VS_DEVICE_FAULT, EXIT_VS_DEVICE_ACCESS, FORK_COW_VS_DEVICE_WRITE, MPROTECT_VS_DEVICE_READ, MREMAP_VS_DEVICE_ACCESS } from '../../scenarios/index.js';

/**
 * The conformance-only scenarios: YAML texts by name, for `loadScenario`. Each passes
 * with a correct driver in every era it runs in, at every device latency, and hits its
 * window on some seeds of the random strategy.
 */
export const CONFORMANCE_ONLY_SCENARIOS: Readonly<Record<string, string>> = scenarioTexts('conformance');
