/**
 * `@secondary-mmu/cli`: the `secondary-mmu` command line — list scenarios and drivers,
 * run a scenario file, explore schedules, replay a token with its full trace, run the
 * aging experiment, and compare drivers across kernel eras from measured runs. The
 * command functions are exported too, for scripts and tests (see docs/cli.md).
 *
 * @packageDocumentation
 */
export { main, buildProgram } from './program.js';
export { EXIT, type ExitCode } from './exit-codes.js';
export { CliError, isCliError, isBadInput } from './cli-error.js';
export { processIo, memoryIo, type Io, type Colors } from './output/io.js';
export { BUILTIN_DRIVERS } from './drivers/registry.js';
export { builtinDriver, type BuiltinDriverSpec } from './drivers/builtin.js';
export { statsCounters } from './drivers/counters.js';
export { loadThirdPartyDriver, isModulePath } from './drivers/third-party.js';
export { resolveDriver, resolveVariant } from './drivers/resolve.js';
export type { DriverEntry, DriverVariant, DeviceCounters, CountersReader } from './drivers/types.js';
export { namedScenarios, type NamedScenario } from './scenarios/catalogue.js';
export { encodeRunToken, decodeRunToken, CLI_TOKEN_PREFIX, type RunRecord } from './token.js';
export { scenariosCommand, listScenarios, type ScenarioListing } from './commands/scenarios.js';
export { driversCommand, listDrivers, type DriverListing } from './commands/drivers.js';
export { runCommand, type RunOptions, type RunJson } from './commands/run.js';
export { exploreCommand, type ExploreCommandOptions, type ExploreJson } from './commands/explore.js';
export { replayCommand, type ReplayOptions } from './commands/replay.js';
export { experimentCommand, agingRoundsTable, type AgingRoundsRow } from './commands/experiment.js';
export { compareCommand, type CompareOptions } from './commands/compare.js';
export { runComparison, type ComparisonSpec, type CompareJson } from './compare/run-comparison.js';
export { DEFAULT_COMPARE_SCENARIOS } from './compare/plan.js';
export { replayCell } from './compare/replay-cell.js';
export { compareMarkdown } from './report/markdown.js';
export type { CompareCell, CellViolation } from './compare/cell.js';
export type { SemanticsRow } from './compare/semantics.js';
export type { ViolationJson } from './run-target.js';
export { writeCompareReport } from './report/write.js';
export type { RunTimeline, TimelineMark } from './report/timeline.js';
export { mergeChromeTraces, type ComparedTrace, type CompareChromeTrace } from './report/chrome-merge.js';
