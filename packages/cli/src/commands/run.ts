import type { Era } from '@secondary-mmu/core-mm';
import { runScenario } from '@secondary-mmu/testkit';
import { buildTarget } from '../build-target.js';
import { catchDriverThrow, isDriverThrew } from '../driver-threw.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { Io } from '../output/io.js';
import { erasToRun, formatViolationLine, runToken, violationJson, type ViolationJson } from '../run-target.js';
import { checkSeed, checkStrategy } from '../options.js';
import { loadScenarioFile } from '../scenarios/resolve.js';
import { findScenario } from '../scenarios/catalogue.js';
import { commandName } from '../output/command-name.js';

/** Options of `run`. Kernel counterpart: none. */
export interface RunOptions {
  /** A built-in driver or a module path (default `classic-mirror`, which runs in every era). */
  readonly driver?: string;
  readonly variant?: string;
  /** One era (default: every era the scenario and the driver share). */
  readonly era?: string;
  readonly seed?: string;
  readonly strategy?: string;
  readonly json?: boolean;
  readonly cwd?: string;
}

/** One era's run in `run --json`. Kernel counterpart: none. */
export interface RunJson {
  readonly era: Era;
  readonly verdict: 'pass' | 'fail' | 'inconclusive';
  readonly reasons: readonly string[];
  readonly violations: readonly ViolationJson[];
  readonly windowHits: Record<string, number>;
  /** The CLI token: `secondary-mmu replay <token>`; null when the driver threw before the run could start. */
  readonly token: string | null;
}

/**
 * `secondary-mmu run <file>`: the scenario file (or a catalogue name) once per era with
 * the driver. Exit 1 when a run fails, 2 for a bad file or option. Kernel counterpart: none.
 */
export async function runCommand(file: string, options: RunOptions, io: Io): Promise<ExitCode> {
  const seed = checkSeed(options.seed);
  const strategy = checkStrategy(options.strategy, ['fifo', 'random', 'pct']);
  const scenario = findScenario(file) === undefined ? loadScenarioFile(file, options.cwd) : file;
  const target = await buildTarget({ scenario, driver: options.driver ?? 'classic-mirror', variant: options.variant, cwd: options.cwd });
  const runs: RunJson[] = [];
  for (const era of erasToRun(target, options.era)) {
    const r = await catchDriverThrow(() => runScenario(target.scenario.scenario, target.factory, { era, seed, ...(strategy === undefined ? {} : { strategy }) }));
    if (isDriverThrew(r)) {
      runs.push({ era, verdict: 'fail', reasons: [`the driver threw outside a callback: ${r.threw}`], violations: [], windowHits: {}, token: null });
      continue;
    }
    runs.push({ era, verdict: r.verdict, reasons: r.reasons, violations: r.violations.map(violationJson), windowHits: r.windowHits, token: runToken(target, era, r.token) });
  }
  const failed = runs.some((r) => r.verdict === 'fail');
  if (options.json === true) {
    io.out(`${JSON.stringify({ scenario: target.scenario.scenario.name, driver: target.factory.name, runs }, null, 2)}\n`);
    return failed ? EXIT.violations : EXIT.ok;
  }
  const c = io.color;
  for (const r of runs) {
    const verdict = r.verdict === 'pass' ? c.green('pass') : r.verdict === 'fail' ? c.red('FAIL') : c.yellow('inconclusive');
    io.out(`${c.bold(target.scenario.scenario.name)} with ${target.factory.name} in ${r.era}: ${verdict}\n`);
    for (const reason of r.reasons) io.out(`  ${reason.split('\n')[0]}\n`);
    for (const v of r.violations) io.out(`  ${c.red(formatViolationLine(v))}\n`);
    if (r.verdict === 'fail' && r.token !== null) io.out(`  replay: ${c.cyan(`${commandName()} replay ${r.token}`)}\n`);
  }
  return failed ? EXIT.violations : EXIT.ok;
}
