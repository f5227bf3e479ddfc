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
import type { Era } from '@secondary-mmu/core-mm';
import {
  ackingMirror,
  classicMirror,
  CONFORMANCE_SCENARIOS,
  dmirror,
  explore,
  loadConformanceScenario,
  mergeShardReports,
  missingCapability,
  summarizeExploreResult,
  withIntervalCallbacks,
  type DriverFactory,
  type DriverReference,
  type ExploreShardReport,
  type ExploreSummary,
} from '../src/index.js';

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

/** A row of a driver's table, and its JSON line. */
function record(rows: string[], name: string, driver: string, era: Era, strategy: string, r: ExploreSummary, time: { seconds: number; cpuSeconds: number } | null): void {
  const took = time === null ? {} : { seconds: Number(time.seconds.toFixed(2)), cpuSeconds: Number(time.cpuSeconds.toFixed(2)) };
  const line = { scenario: name, driver, era, schedules: r.schedules, windowHits: r.windowHits, verdict: r.verdict, failingSeed: r.failing?.seed ?? null, token: r.shrunk?.token ?? r.failing?.token ?? null, ...took };
  console.log(JSON.stringify(line));
  const hits = Object.entries(r.windowHits).map(([w, n]) => `${w}: ${n}`).join(', ');
  rows.push(`| ${name} | ${era} | ${strategy} | ${r.schedules} | ${hits} | ${r.verdict}${r.failing === null ? '' : ` (seed ${r.failing.seed})`} |`);
}

/** Write one driver's table to docs/exploration/<driver>.md. */
function writeTable(driver: string, command: string, schedules: number, total: number, how: string, rows: readonly string[]): void {
  mkdirSync(outDir, { recursive: true });
  const doc = `# Exploration: ${driver}

Recorded by \`${command}\`: ${schedules} schedules per scenario × era, seed 1, ${total} schedules ${how}. Each row: the schedules run, how many hit each race window, the verdict — *pass* only if no schedule failed and some schedule hit a window; a failing row names the first failing seed (its shrunk replay token is in the command's JSON output).

| scenario | era | strategy | schedules | window hits | verdict |
|---|---|---|---|---|---|
${rows.join('\n')}
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
  const byDriver = new Map<string, { rows: string[]; total: number; schedules: number; shards: number }>();
  for (const lines of groups.values()) {
    const { driver, scenario, report } = lines[0]!;
    const r = mergeShardReports(lines.map((l) => l.report));
    const d = byDriver.get(driver) ?? { rows: [], total: 0, schedules: report.schedules, shards: report.shard.count };
    byDriver.set(driver, d);
    d.total += r.schedules;
    record(d.rows, scenario, driver, report.era, report.strategy, r, null);
  }
  for (const [driver, d] of byDriver) {
    writeTable(driver, `npm run explore:long -w @secondary-mmu/testkit -- ${d.schedules} ${driver} --shard k/${d.shards}\` for each k, then \`--merge`, d.schedules, d.total, `in ${d.shards} shards`, d.rows);
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
    const rows: string[] = [];
    const started = performance.now();
    let total = 0;
    for (const spec of CONFORMANCE_SCENARIOS) {
      const { scenario, name, requires } = loadConformanceScenario(spec);
      if (flags.scenario !== undefined && name !== flags.scenario) continue;
      if (missingCapability(requires, factory.capabilities) !== undefined) continue;
      if ((scenario.windows ?? []).length === 0) continue; // no race windows (the hmm-tests cases): nothing to explore for
      for (const era of factory.eras) {
        if (scenario.eras !== undefined && !scenario.eras.includes(era)) continue;
        if (flags.era !== undefined && era !== flags.era) continue;
        const s = factory === dmirror ? withIntervalCallbacks(scenario) : scenario;
        const driver = workers > 1 ? ref : factory;
        const strategy = s.schedule?.strategy === 'pct' ? 'pct' : 'random';
        const t0 = performance.now();
        const cpu0 = process.cpuUsage(); // every thread of the process: the workers' time too
        if (shard !== null) {
          const report = await explore(s, { driver, era, schedules, seed: 1, workers, shard });
          appendFileSync(flags.out!, `${JSON.stringify({ scenario: name, driver: factory.name, report } satisfies ShardLine)}\n`);
          console.log(JSON.stringify({ scenario: name, driver: factory.name, era, shard: flags.shard, ran: report.ran.length, failing: report.failing?.index ?? null, seconds: Math.round((performance.now() - t0) / 1000) }));
          continue;
        }
        const r = await explore(s, { driver, era, schedules, seed: 1, workers });
        total += r.schedules;
        const cpu = process.cpuUsage(cpu0);
        record(rows, name, factory.name, era, strategy, summarizeExploreResult(r), { seconds: (performance.now() - t0) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6 });
      }
    }
    if (shard !== null || flags.scenario !== undefined || flags.era !== undefined) continue;
    const minutes = ((performance.now() - started) / 60_000).toFixed(1);
    const command = `npm run build && npm run explore:long -w @secondary-mmu/testkit -- ${schedules} ${factory.name} --workers ${workers}`;
    writeTable(factory.name, command, schedules, total, `in ${minutes} min on ${workers} worker thread${workers === 1 ? '' : 's'} on this machine`, rows);
  }
}

if (flags.merge === true) merge(positionals);
else await run();
