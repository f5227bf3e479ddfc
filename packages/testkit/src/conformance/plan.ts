import { ERAS, type Era } from '@secondary-mmu/core-mm';
import { checkEras, checkFactory, checkSeeds, checkStrategy, failFor, optionsObject } from '../arguments.js';
import type { DriverFactory } from '../contract.js';
import { show } from '../show.js';
import { missingCapability, type ConformanceCapabilities } from './capability.js';
import { CONFORMANCE_SCENARIOS } from './catalogue.js';
import { withIntervalCallbacks } from './interval-windows.js';
import { withSecondaryTlbCallbacks } from '../sva/windows.js';
import type { CheckDriverOptions } from './options.js';
import { DEFAULT_CONFORMANCE_SEEDS } from './options.js';
import type { ConformanceSkip } from './report.js';
import { loadConformanceScenario, type ConformanceScenario, type LoadedConformanceScenario } from './scenario.js';

/** One scenario × era to run, or to skip (and why), decided before anything runs. */
export interface PlannedCase {
  readonly scenario: LoadedConformanceScenario;
  readonly era: Era;
  readonly skip?: ConformanceSkip;
}

/** The suite's cases for one driver, with the options resolved. */
export interface ConformancePlan {
  readonly driver: string;
  readonly eras: readonly Era[];
  readonly seeds: readonly number[];
  readonly strategy?: 'fifo' | 'random' | 'pct';
  readonly capabilities: ConformanceCapabilities;
  readonly cases: readonly PlannedCase[];
}

function pick(fn: string, entry: unknown, path: string): ConformanceScenario {
  const fail = failFor(fn);
  if (typeof entry === 'string') {
    const found = CONFORMANCE_SCENARIOS.find((s) => s.name === entry);
    if (found === undefined) fail('unknown-scenario', path, `unknown conformance scenario "${entry}" (expected one of ${CONFORMANCE_SCENARIOS.map((s) => s.name).join(', ')})`);
    return found!;
  }
  const e = entry as Partial<ConformanceScenario> | null;
  if (e === null || typeof e !== 'object' || typeof e.name !== 'string' || e.source === undefined) {
    fail('bad-scenarios', path, `expected a conformance scenario's name or a { name, source, requires? } object, got ${show(entry)}`);
  }
  return entry as ConformanceScenario;
}

function skipFor(factory: DriverFactory, capabilities: ConformanceCapabilities, s: LoadedConformanceScenario, era: Era): ConformanceSkip | undefined {
  if (!factory.eras.includes(era)) return { capability: 'era', reason: `driver "${factory.name}" does not declare era ${era} (it declares ${factory.eras.join(', ')})` };
  const eras = s.scenario.eras;
  if (eras !== undefined && !eras.includes(era)) return { capability: 'era', reason: `scenario "${s.name}" is not for era ${era} (only ${eras.join(', ')})` };
  const missing = missingCapability(s.requires, capabilities);
  if (missing !== undefined) return { capability: missing, reason: `driver "${factory.name}" does not declare ${missing}, which scenario "${s.name}" needs` };
  return undefined;
}

/**
 * Resolve `options` for `factory` and decide every scenario × era: which run and which
 * are skipped, only by an era or a capability the driver does not declare. The driver
 * and the options are checked first: a value that is not a `DriverFactory`, an era
 * that is not one (or listed twice, or an empty list), bad seeds or an unknown
 * strategy or scenario name throw a `TestkitArgumentError` (`EINVAL`) naming it.
 * Scenarios are loaded (a bad one throws `ScenarioError`) and their windows widened for
 * interval notifiers (`withIntervalCallbacks`). Synchronous, so a test runner can
 * register the cases before any runs.
 */
export function planConformance(factory: DriverFactory, options: CheckDriverOptions = {}): ConformancePlan {
  return planFor('planConformance', factory, options);
}

/** {@link planConformance}, its argument errors naming `fn` (the function the user called). */
export function planFor(fn: string, factory: DriverFactory, options: CheckDriverOptions | undefined): ConformancePlan {
  checkFactory(fn, factory);
  const o = optionsObject(fn, options);
  if (o.capabilities !== undefined) optionsObject(fn, o.capabilities, 'options.capabilities');
  const capabilities: ConformanceCapabilities = { ...factory.capabilities, ...o.capabilities };
  const eras = o.eras === undefined ? ERAS : checkEras(fn, o.eras, 'options.eras');
  const seeds = o.seeds === undefined ? DEFAULT_CONFORMANCE_SEEDS : checkSeeds(fn, o.seeds, 'options.seeds');
  const strategy = checkStrategy(fn, o.strategy, 'options.strategy');
  if (o.scenarios !== undefined && !Array.isArray(o.scenarios)) failFor(fn)('bad-scenarios', 'options.scenarios', `must be a list of scenario names or objects, got ${show(o.scenarios)}`);
  const entries = (o.scenarios ?? CONFORMANCE_SCENARIOS).map((e, i) => pick(fn, e, `options.scenarios[${i}]`));
  const scenarios = entries.map((e) => {
    const loaded = loadConformanceScenario(e);
    return { ...loaded, scenario: withSecondaryTlbCallbacks(withIntervalCallbacks(loaded.scenario)) };
  });
  const cases: PlannedCase[] = [];
  for (const scenario of scenarios) {
    for (const era of eras) {
      const skip = skipFor(factory, capabilities, scenario, era);
      cases.push(skip === undefined ? { scenario, era } : { scenario, era, skip });
    }
  }
  return { driver: factory.name, eras, seeds, ...(strategy === undefined ? {} : { strategy }), capabilities, cases };
}
