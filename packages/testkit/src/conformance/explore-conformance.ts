import type { Era } from '@secondary-mmu/core-mm';
import { checkCount, checkEras, checkFactory, failFor, optionsObject } from '../arguments.js';
import type { DriverFactory } from '../contract.js';
import { isDriverReference, loadDriver, type DriverReference } from '../explore/driver-reference.js';
import { explore } from '../explore/explore.js';
import { summarizeExploreResult, type ExploreSummary } from '../explore/explore-summary.js';
import { show } from '../show.js';
import { missingCapability } from './capability.js';
import { CONFORMANCE_SCENARIOS } from './catalogue.js';
import { loadConformanceScenario } from './scenario.js';

/** How {@link exploreConformance} runs. */
export interface ExploreConformanceOptions {
  /** Schedules per scenario × era (default 10 000). */
  readonly schedules?: number;
  /** Base seed of every exploration (default 1). */
  readonly seed?: number;
  /** The eras to explore, each one the driver declares (default: all it declares). */
  readonly eras?: readonly Era[];
  /** Only the scenario of this name (a timing run). */
  readonly scenario?: string;
  /** Scenario × era pairs left out by design (a driver's documented limits: a window its pins keep shut). */
  readonly skip?: (scenario: string, era: Era) => boolean;
  /** Worker threads per exploration (default 1); above 1 the driver must be given by reference. */
  readonly workers?: number;
  /** Called with each row as it is done (a long run's progress). */
  readonly onRow?: (row: ExplorationRow) => void;
}

/** One scenario × era of a long exploration. */
export interface ExplorationRow {
  readonly scenario: string;
  readonly driver: string;
  readonly era: Era;
  /** The scenario's own strategy. */
  readonly strategy: 'random' | 'pct';
  readonly summary: ExploreSummary;
  /** Wall time, and CPU time of every thread of the process (the workers' too), seconds. */
  readonly seconds: number;
  readonly cpuSeconds: number;
}

/**
 * The long exploration of a driver: every concurrent conformance scenario (one with race
 * windows) it runs by its capabilities, explored with many seeded schedules in each era
 * it declares — what CI's few seeds per case sample. A driver package's
 * `explore:long` script is this and {@link explorationTable}. Kernel counterpart: none.
 */
export async function exploreConformance(driver: DriverFactory | DriverReference, options: ExploreConformanceOptions = {}): Promise<ExplorationRow[]> {
  const fn = 'exploreConformance';
  const o = optionsObject(fn, options);
  const factory = isDriverReference(driver) ? await loadDriver(driver) : driver;
  checkFactory(fn, factory);
  const schedules = o.schedules === undefined ? 10_000 : checkCount(fn, o.schedules, 'options.schedules', 1);
  const workers = o.workers === undefined ? 1 : checkCount(fn, o.workers, 'options.workers', 1);
  if (workers > 1 && !isDriverReference(driver)) failFor(fn)('bad-driver-reference', 'driver', `workers ${workers} need the driver as a { module, export } reference (a worker thread cannot receive a factory)`);
  const eras = o.eras === undefined ? factory.eras : checkEras(fn, o.eras, 'options.eras');
  for (const era of eras) if (!factory.eras.includes(era)) failFor(fn)('unknown-era', 'options.eras', `${show(era)} is not an era ${factory.name} declares (${factory.eras.join(', ')})`);
  const rows: ExplorationRow[] = [];
  for (const spec of CONFORMANCE_SCENARIOS) {
    const { scenario, name, requires } = loadConformanceScenario(spec);
    if (o.scenario !== undefined && name !== o.scenario) continue;
    if (missingCapability(requires, factory.capabilities) !== undefined) continue;
    if ((scenario.windows ?? []).length === 0) continue; // the hmm-tests cases: no race to explore for
    for (const era of eras) {
      if (scenario.eras !== undefined && !scenario.eras.includes(era)) continue;
      if (o.skip?.(name, era) === true) continue;
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      const result = await explore(scenario, { driver, era, schedules, seed: o.seed ?? 1, workers });
      const cpu = process.cpuUsage(cpu0);
      const row: ExplorationRow = {
        scenario: name,
        driver: factory.name,
        era,
        strategy: scenario.schedule?.strategy === 'pct' ? 'pct' : 'random',
        summary: summarizeExploreResult(result),
        seconds: (performance.now() - t0) / 1000,
        cpuSeconds: (cpu.user + cpu.system) / 1e6,
      };
      rows.push(row);
      o.onRow?.(row);
    }
  }
  return rows;
}

/** A row as one JSON line: the figures, the first failing seed and the shrunk token (or the failing one). Kernel counterpart: none. */
export function explorationRowJson(row: ExplorationRow): string {
  const r = row.summary;
  return JSON.stringify({
    scenario: row.scenario,
    driver: row.driver,
    era: row.era,
    schedules: r.schedules,
    windowHits: r.windowHits,
    verdict: r.verdict,
    failingSeed: r.failing?.seed ?? null,
    token: r.shrunk?.token ?? r.failing?.token ?? null,
    seconds: Number(row.seconds.toFixed(2)),
    cpuSeconds: Number(row.cpuSeconds.toFixed(2)),
  });
}

/**
 * The Markdown table of `rows` (scenario, era, strategy, schedules, window hits,
 * verdict with the first failing seed), with a first column from `label` when given (a
 * driver run in several modes). Kernel counterpart: none.
 */
export function explorationTable(rows: readonly ExplorationRow[], label?: { readonly title: string; readonly of: (row: ExplorationRow) => string }): string {
  const head = ['scenario', 'era', 'strategy', 'schedules', 'window hits', 'verdict'];
  const cells = (row: ExplorationRow): string[] => {
    const r = row.summary;
    const hits = Object.entries(r.windowHits).map(([w, n]) => `${w}: ${n}`).join(', ');
    return [row.scenario, row.era, row.strategy, String(r.schedules), hits, `${r.verdict}${r.failing === null ? '' : ` (seed ${r.failing.seed})`}`];
  };
  const lines = [label === undefined ? head : [label.title, ...head], ...rows.map((row) => (label === undefined ? cells(row) : [label.of(row), ...cells(row)]))];
  const md = (cols: readonly string[]): string => `| ${cols.join(' | ')} |`;
  return [md(lines[0]!), md(lines[0]!.map(() => '---')), ...lines.slice(1).map(md)].join('\n');
}

/** The schedules a set of rows ran in all. Kernel counterpart: none. */
export function explorationTotal(rows: readonly ExplorationRow[]): number {
  let total = 0;
  for (const row of rows) total += row.summary.schedules;
  return total;
}
