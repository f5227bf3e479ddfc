/**
 * The long exploration budget:
 *
 *   npm run explore:long -w @secondary-mmu/testkit -- N [driver…] [--workers n] [--shard k/n --out FILE] [--scenario S] [--era E]
 *   npm run explore:long -w @secondary-mmu/testkit -- --merge FILE…
 *
 * Every concurrent conformance scenario (one with race windows) a reference driver runs
 * (by its capabilities), explored
 * with N schedules (default 10 000) in each era it declares, seed 1, the scenario's own
 * strategy (random, or PCT where the scenario asks for it). Drivers: `dmirror` (v6),
 * `classic-mirror` (every era), `acking-mirror` (v6); all three when none is named.
 * `--workers n` runs each exploration on n worker threads (default: one per CPU; the
 * results are the serial ones). Prints one JSON line per scenario × driver × era
 * (schedules, window hits, verdict, first failing seed and shrunk token) and writes each
 * driver's table to docs/exploration/<driver>.md.
 *
 * `--shard k/n` runs only shard k of n of every exploration (schedules i ≡ k mod n) and
 * writes the shard reports, one JSON line each, to `--out FILE` (no table); `--merge`
 * reads every shard's file, merges each exploration's shards (`mergeShardReports`) and
 * prints and writes what the unsharded run would (docs/exploring.md shows a CI matrix).
 * `--scenario` and `--era` run only that scenario or era (a timing run: no table is written;
 * each line's `seconds` is wall time, `cpuSeconds` the CPU time of every thread).
 * Built JavaScript runs in the worker threads: build first (`npm run build`).
 */
import { availableParallelism } from 'node:os';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  ackingMirror,
  classicMirror,
  CONFORMANCE_SCENARIOS,
  dmirror,
  explorationRowJson,
  explorationTable,
  explorationTotal,
  explore,
  exploreConformance,
  loadConformanceScenario,
  mergeShardReports,
  missingCapability,
  type DriverFactory,
  type DriverReference,
  type ExplorationRow,
  type ExploreShardReport,
  tuneHeapForExploration,
} from '../src/index.js';

// Explorations allocate a machine per schedule: see tuneHeapForExploration.
tuneHeapForExploration();

/** The reference drivers, each with the export a worker thread imports it by. */
const DRIVERS: readonly { factory: DriverFactory; ref: DriverReference }[] = [
  { factory: dmirror, ref: { module: '@secondary-mmu/testkit', export: 'dmirror' } },
  { factory: classicMirror, ref: { module: '@secondary-mmu/testkit', export: 'classicMirror' } },
  { factory: ackingMirror, ref: { module: '@secondary-mmu/testkit', export: 'ackingMirror' } },
];

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: { workers: { type: 'string' }, shard: { type: 'string' }, out: { type: 'string' }, merge: { type: 'boolean' }, scenario: { type: 'string' }, era: { type: 'string' } },
});
const outDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../../docs/exploration');

/** One exploration's line in a shard file. */
interface ShardLine {
  readonly scenario: string;
  readonly driver: string;
  readonly report: ExploreShardReport;
}

/** Write one driver's table to docs/exploration/<driver>.md. */
function writeTable(driver: string, command: string, schedules: number, how: string, rows: readonly ExplorationRow[]): void {
  mkdirSync(outDir, { recursive: true });
  const doc = `# Exploration: ${driver}

Recorded by \`${command}\`: ${schedules} schedules per scenario × era, seed 1, ${explorationTotal(rows)} schedules ${how}. Each row: the schedules run, how many hit each race window, the verdict — *pass* only if no schedule failed and some schedule hit a window; a failing row names the first failing seed (its shrunk replay token is in the command's JSON output).

${explorationTable(rows)}
`;
  const out = path.join(outDir, `${driver}.md`);
  writeFileSync(out, doc);
  console.log(`wrote ${out}`);
}

/** `--merge FILE…`: merge every exploration's shards and write the tables. */
function merge(files: readonly string[]): void {
  if (files.length === 0) throw new Error('--merge needs the shard files');
  const groups = new Map<string, ShardLine[]>();
  for (const file of files) {
    for (const text of readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '')) {
      const line = JSON.parse(text) as ShardLine;
      const key = `${line.driver}\n${line.scenario}\n${line.report.era}`;
      groups.set(key, [...(groups.get(key) ?? []), line]);
    }
  }
  const byDriver = new Map<string, { rows: ExplorationRow[]; schedules: number; shards: number }>();
  for (const lines of groups.values()) {
    const { driver, scenario, report } = lines[0]!;
    const d = byDriver.get(driver) ?? { rows: [], schedules: report.schedules, shards: report.shard.count };
    byDriver.set(driver, d);
    const row: ExplorationRow = { scenario, driver, era: report.era, strategy: report.strategy === 'pct' ? 'pct' : 'random', summary: mergeShardReports(lines.map((l) => l.report)), seconds: 0, cpuSeconds: 0 };
    console.log(explorationRowJson(row));
    d.rows.push(row);
  }
  for (const [driver, d] of byDriver) {
    writeTable(driver, `npm run explore:long -w @secondary-mmu/testkit -- ${d.schedules} ${driver} --shard k/${d.shards}\` for each k, then \`--merge`, d.schedules, `in ${d.shards} shards`, d.rows);
  }
}

/** The `k/n` of `--shard`. */
function shardOf(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  if (m === null) throw new Error(`--shard must be k/n (e.g. 0/4), got ${text}`);
  return { index: Number(m[1]), count: Number(m[2]) };
}

async function run(): Promise<void> {
  const [count, ...names] = positionals;
  const schedules = Number(count ?? 10_000);
  if (!Number.isSafeInteger(schedules) || schedules <= 0) throw new Error(`schedules must be a positive integer, got ${count}`);
  const workers = flags.workers === undefined ? availableParallelism() : Number(flags.workers);
  if (!Number.isSafeInteger(workers) || workers < 1) throw new Error(`--workers must be a positive integer, got ${flags.workers}`);
  const shard = flags.shard === undefined ? null : shardOf(flags.shard);
  if (shard !== null && flags.out === undefined) throw new Error('--shard needs --out FILE for the shard reports');
  if (flags.out !== undefined) writeFileSync(flags.out, '');
  const unknown = names.filter((n) => !DRIVERS.some((d) => d.factory.name === n));
  if (unknown.length > 0) throw new Error(`unknown driver ${unknown.join(', ')} (known: ${DRIVERS.map((d) => d.factory.name).join(', ')})`);
  const drivers = names.length === 0 ? DRIVERS : DRIVERS.filter((d) => names.includes(d.factory.name));

  for (const { factory, ref } of drivers) {
    if (shard !== null) {
      await runShard(factory, workers > 1 ? ref : factory, schedules, workers, shard);
      continue;
    }
    const started = performance.now();
    const eras = flags.era === undefined ? undefined : factory.eras.filter((e) => e === flags.era);
    if (eras !== undefined && eras.length === 0) continue;
    const rows = await exploreConformance(workers > 1 ? ref : factory, {
      schedules,
      workers,
      ...(flags.scenario === undefined ? {} : { scenario: flags.scenario }),
      ...(eras === undefined ? {} : { eras }),
      onRow: (row) => console.log(explorationRowJson(row)),
    });
    if (flags.scenario !== undefined || flags.era !== undefined) continue;
    const minutes = ((performance.now() - started) / 60_000).toFixed(1);
    const command = `npm run build && npm run explore:long -w @secondary-mmu/testkit -- ${schedules} ${factory.name} --workers ${workers}`;
    writeTable(factory.name, command, schedules, `in ${minutes} min on ${workers} worker thread${workers === 1 ? '' : 's'} on this machine`, rows);
  }
}

/** `--shard k/n`: shard k of every exploration of `factory`, each report a line of `--out`. */
async function runShard(factory: DriverFactory, driver: DriverFactory | DriverReference, schedules: number, workers: number, shard: { index: number; count: number }): Promise<void> {
  for (const spec of CONFORMANCE_SCENARIOS) {
    const { scenario, name, requires } = loadConformanceScenario(spec);
    if (flags.scenario !== undefined && name !== flags.scenario) continue;
    if (missingCapability(requires, factory.capabilities) !== undefined) continue;
    if ((scenario.windows ?? []).length === 0) continue; // no race windows (the hmm-tests cases): nothing to explore for
    for (const era of factory.eras) {
      if (scenario.eras !== undefined && !scenario.eras.includes(era)) continue;
      if (flags.era !== undefined && era !== flags.era) continue;
      const t0 = performance.now();
      const report = await explore(scenario, { driver, era, schedules, seed: 1, workers, shard });
      appendFileSync(flags.out!, `${JSON.stringify({ scenario: name, driver: factory.name, report } satisfies ShardLine)}\n`);
      console.log(JSON.stringify({ scenario: name, driver: factory.name, era, shard: flags.shard, ran: report.ran.length, failing: report.failing?.index ?? null, seconds: Math.round((performance.now() - t0) / 1000) }));
    }
  }
}

if (flags.merge === true) merge(positionals);
else await run();
