import { ERAS, SmmuError, type Era } from '@secondary-mmu/core-mm';
import type { DriverFactory } from '../contract.js';
import { missingCapability, type ConformanceCapabilities } from './capability.js';
import { CONFORMANCE_SCENARIOS } from './catalogue.js';
import { withIntervalCallbacks } from './interval-windows.js';
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

function pick(entry: string | ConformanceScenario): ConformanceScenario {
  if (typeof entry !== 'string') return entry;
  const found = CONFORMANCE_SCENARIOS.find((s) => s.name === entry);
  if (found === undefined) throw new SmmuError('EINVAL', `unknown conformance scenario "${entry}" (expected one of ${CONFORMANCE_SCENARIOS.map((s) => s.name).join(', ')})`);
  return found;
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
 * are skipped, only by an era or a capability the driver does not declare. Scenarios
 * are loaded (a bad one throws `ScenarioError`) and their windows widened for interval
 * notifiers (`withIntervalCallbacks`). Synchronous, so a test runner can register the
 * cases before any runs.
 */
export function planConformance(factory: DriverFactory, options: CheckDriverOptions = {}): ConformancePlan {
  const capabilities: ConformanceCapabilities = { ...factory.capabilities, ...options.capabilities };
  const eras = options.eras ?? ERAS;
  const seeds = options.seeds ?? DEFAULT_CONFORMANCE_SEEDS;
  if (seeds.length === 0) throw new SmmuError('EINVAL', 'conformance: no seeds');
  const scenarios = (options.scenarios ?? CONFORMANCE_SCENARIOS).map((e) => {
    const loaded = loadConformanceScenario(pick(e));
    return { ...loaded, scenario: withIntervalCallbacks(loaded.scenario) };
  });
  const cases: PlannedCase[] = [];
  for (const scenario of scenarios) {
    for (const era of eras) {
      const skip = skipFor(factory, capabilities, scenario, era);
      cases.push(skip === undefined ? { scenario, era } : { scenario, era, skip });
    }
  }
  return { driver: factory.name, eras, seeds, ...(options.strategy === undefined ? {} : { strategy: options.strategy }), capabilities, cases };
}
