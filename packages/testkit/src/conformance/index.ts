/*
 * The conformance suite: every scenario × era for a driver, skipped only by a declared
 * era or capability, judged over several seeds with replay tokens for every violation.
 * Runner-free (ESM and CJS); the vitest form is on the `/vitest` subpath.
 */
export { checkDriver } from './check-driver.js';
export { DEFAULT_CONFORMANCE_SEEDS, DEFAULT_CONFORMANCE_LATENCIES, type CheckDriverOptions } from './options.js';
export { planConformance, type ConformancePlan, type PlannedCase } from './plan.js';
export { runConformanceCase, type CaseRunOptions } from './run-case.js';
export { formatConformanceCase, formatConformanceReport } from './format.js';
export { CONFORMANCE_SCENARIOS } from './catalogue.js';
export { loadConformanceScenario, type ConformanceScenario, type LoadedConformanceScenario } from './scenario.js';
export { missingCapability, type ConformanceCapability, type ConformanceCapabilities } from './capability.js';
export { withIntervalCallbacks } from './interval-windows.js';
export { exploreConformance, explorationRowJson, explorationTable, explorationTotal, type ExploreConformanceOptions, type ExplorationRow } from './explore-conformance.js';
export type { ConformanceCase, ConformanceReport, ConformanceRun, ConformanceSkip, ConformanceStatus, ConformanceViolation } from './report.js';
export { CONFORMANCE_ONLY_SCENARIOS, DONTNEED_VS_DEVICE_FAULT, EXIT_VS_DEVICE_ACCESS, FORK_COW_VS_DEVICE_WRITE, MPROTECT_VS_DEVICE_READ, MREMAP_VS_DEVICE_ACCESS } from './scenarios/index.js';
export { HMM_TESTS_SCENARIOS, HMM_ANON_READ, HMM_ANON_TEARDOWN, HMM_ANON_WRITE, HMM_ANON_WRITE_PROT, HMM_DOUBLE_MAP, HMM_FILE_READ_WRITE, HMM_READ_PROT_NONE, HMM_TWO_DEVICES_SHARE_WRITES } from './hmm-tests/index.js';
