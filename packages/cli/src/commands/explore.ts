import type { Era } from '@secondary-mmu/core-mm';
import { explore, mergeShardReports, summarizeExploreResult, type DriverFactory, type DriverReference, type ExploreShardReport, type ExploreSummary } from '@secondary-mmu/testkit';
import { buildTarget } from '../build-target.js';
import { catchDriverThrow, isDriverThrew } from '../driver-threw.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { checkCount, checkSeed, checkShard, checkStrategy } from '../options.js';
import type { Io } from '../output/io.js';
import { startProgress } from '../output/progress.js';
import { erasToRun, formatViolationLine, runToken, violationJson, type RunTarget, type ViolationJson } from '../run-target.js';
import { commandName } from '../output/command-name.js';

/** Options of `explore` (strings as commander gives them). Kernel counterpart: none. */
export interface ExploreCommandOptions {
  readonly driver: string;
  readonly variant?: string;
  readonly era?: string;
  readonly strategy?: string;
  readonly schedules?: string;
  readonly seed?: string;
  readonly workers?: string;
  /** `k/n`, 1-based. */
  readonly shard?: string;
  readonly json?: boolean;
  readonly cwd?: string;
}

/** What `explore --json` prints (without `--shard`). Kernel counterpart: none. */
export interface ExploreJson {
  readonly scenario: string;
  readonly driver: string;
  readonly variant: string | null;
  readonly era: Era;
  readonly verdict: 'pass' | 'fail' | 'inconclusive';
  readonly schedules: number;
  readonly windowHits: Record<string, number>;
  /** The lowest failing schedule: its index, seed, violations, and the CLI token of its shrunk schedule (or of itself when nothing shrank). */
  readonly failing: { readonly index: number; readonly seed: number; readonly reasons: readonly string[]; readonly violations: readonly ViolationJson[]; readonly token: string; readonly shrunkToken: string | null; readonly minimal: boolean | null } | null;
}

/** Shards a terminal exploration is split into, one progress tick each. */
const PROGRESS_SHARDS = 10;

/** The era: `--era`, else the variant's, else v6 when shared, else the latest shared. */
function eraOf(target: RunTarget, era: string | undefined): Era {
  const eras = erasToRun(target, era ?? target.variant?.era);
  return eras.includes('v6') ? 'v6' : eras[eras.length - 1]!;
}

/**
 * `secondary-mmu explore <scenario> --driver <name>`: many seeded schedules, the first
 * failure shrunk. Exit 1 with the replay token when one fails; with `--shard k/n` the
 * shard's report is printed as JSON for `mergeShardReports`. On a terminal (and without
 * `--json`) it runs as shards merged afterwards — the serial result — with a progress bar.
 * Kernel counterpart: none.
 */
export async function exploreCommand(scenarioArg: string, options: ExploreCommandOptions, io: Io): Promise<ExitCode> {
  const schedules = checkCount('--schedules', options.schedules, 200);
  const seed = checkSeed(options.seed);
  let workers = checkCount('--workers', options.workers, 1);
  const shard = checkShard(options.shard);
  const strategy = checkStrategy(options.strategy, ['random', 'pct'] as const);
  const target = await buildTarget({ scenario: scenarioArg, driver: options.driver, variant: options.variant, cwd: options.cwd });
  const era = eraOf(target, options.era);
  if (workers > 1 && target.variant !== null) {
    io.err(`note: variant ${target.variant.name} cannot be imported by worker threads: exploring on one thread\n`);
    workers = 1;
  }
  const driver: DriverFactory | DriverReference = workers > 1 ? target.driver.reference : target.factory;
  const base = { driver, era, schedules, seed, workers, ...(strategy === undefined ? {} : { strategy }) };
  const scenario = target.scenario.scenario;

  if (shard !== undefined) {
    const report = await explore(scenario, { ...base, shard });
    io.out(`${JSON.stringify(report, null, 2)}\n`);
    return report.failing === null ? EXIT.ok : EXIT.violations;
  }
  const progress = startProgress(io, Math.min(PROGRESS_SHARDS, schedules), `${scenario.name} × ${target.factory.name} (${era})`, options.json === true);
  const summary = await catchDriverThrow(async (): Promise<ExploreSummary> => {
    if (!progress.active) return summarizeExploreResult(await explore(scenario, base));
    const count = Math.min(PROGRESS_SHARDS, schedules);
    const reports: ExploreShardReport[] = [];
    for (let index = 0; index < count; index++) {
      reports.push(await explore(scenario, { ...base, shard: { index, count } }));
      progress.tick();
    }
    return mergeShardReports(reports);
  });
  progress.stop();
  if (isDriverThrew(summary)) {
    const why = `the driver threw outside a callback: ${summary.threw}`;
    if (options.json === true) io.out(`${JSON.stringify({ scenario: scenario.name, driver: target.factory.name, era, verdict: 'fail', threw: summary.threw }, null, 2)}\n`);
    else io.out(`${io.color.bold(scenario.name)} with ${target.factory.name} in ${era}: ${io.color.red('FAIL')}: ${why}\n`);
    return EXIT.violations;
  }
  const json = toJson(target, era, summary);
  if (options.json === true) io.out(`${JSON.stringify(json, null, 2)}\n`);
  else printSummary(json, io);
  return json.verdict === 'fail' ? EXIT.violations : EXIT.ok;
}

function toJson(target: RunTarget, era: Era, s: ExploreSummary): ExploreJson {
  const f = s.failing;
  return {
    scenario: target.scenario.scenario.name,
    driver: target.factory.name,
    variant: target.variant?.name ?? null,
    era,
    verdict: s.verdict,
    schedules: s.schedules,
    windowHits: s.windowHits,
    failing:
      f === null
        ? null
        : {
            index: f.index,
            seed: f.seed,
            reasons: f.reasons,
            violations: (s.shrunk?.violations ?? f.violations).map(violationJson),
            token: runToken(target, era, f.token),
            shrunkToken: s.shrunk === null ? null : runToken(target, era, s.shrunk.token),
            minimal: s.shrunk?.minimal ?? null,
          },
  };
}

function printSummary(j: ExploreJson, io: Io): void {
  const c = io.color;
  const who = `${c.bold(j.scenario)} with ${j.driver} in ${j.era}`;
  const hits = Object.entries(j.windowHits).map(([w, n]) => `${w} ${n}`).join(', ');
  if (j.failing === null) {
    io.out(`${who}: ${j.verdict === 'pass' ? c.green('pass') : c.yellow('inconclusive')} after ${j.schedules} schedules${hits === '' ? '' : ` (window hits: ${hits})`}\n`);
    return;
  }
  io.out(`${who}: ${c.red('FAIL')} at schedule ${j.failing.index} (seed ${j.failing.seed}) of ${j.schedules}\n`);
  for (const v of j.failing.violations) io.out(`  ${c.red(formatViolationLine(v))}\n`);
  for (const r of j.failing.reasons) if (!r.startsWith('unexpected violation')) io.out(`  ${r.split('\n')[0]}\n`);
  io.out(`replay${j.failing.shrunkToken === null ? '' : ` (shrunk${j.failing.minimal === true ? ', 1-minimal' : ''})`}: ${c.cyan(`${commandName()} replay ${j.failing.shrunkToken ?? j.failing.token}`)}\n`);
}
