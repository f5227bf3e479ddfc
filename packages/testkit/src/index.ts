/**
 * `@secondary-mmu/testkit`: what a secondary-MMU driver author runs — the driver
 * contract (`defineDriver`, `MirrorDriver`), reference drivers (dmirror after the
 * kernel's lib/test_hmm.c, a classic start/end mirror for every era, an acking mirror,
 * an ODP-style mirror with one interval notifier per region and an SVA device),
 * scenarios with race windows (`loadScenario`, `runScenario`, the catalogue), the
 * conformance suite (`checkDriver`) and the schedule explorer with shrinking and replay
 * (`explore`, `replay`). The vitest integration (`describeDriverConformance`) is on the
 * ESM-only subpath `@secondary-mmu/testkit/vitest`, the kill matrix on
 * `@secondary-mmu/testkit/kill-matrix`; this entry works from ESM and CJS without vitest.
 *
 * @packageDocumentation
 */
export { NO_CAPABILITIES, type DriverCapabilities } from './capabilities.js';
export type { DriverFactory, DriverInstance } from './contract.js';
export { defineDriver, DriverSpecError, type DriverSpec, type DriverSpecProblem } from './define-driver.js';
export { driverClassMismatch, watchUndeclaredBlocking } from './capability-checks.js';
export { TestkitArgumentError, type ArgumentProblem } from './arguments.js';
export { MirrorDriver } from './mirror-driver.js';
export * from './dmirror/index.js';
export * from './classic-mirror/index.js';
export * from './odp/index.js';
export * from './sva/index.js';
export * from './scenario/index.js';
export { SCENARIO_REGISTRY, scenarioTexts, defineScenario, setup, type ScenarioEntry, type ScenarioEntrySpec, type ScenarioKind, type SetupSpec, type SetupMapping } from './scenarios/index.js';
export * from './explore/index.js';
export * from './conformance/index.js';
