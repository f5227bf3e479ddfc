/**
 * testkit benchmarks, in core-mm's bench format: one JSON object per line,
 * `{"name", "unit", "value"}` plus detail fields.
 *
 *   npm run bench -w @secondary-mmu/testkit [-- --quick] [-- --scenario <name>…]
 *
 * Each line is measured in its own plain-node process on the built package
 * (bench/explore-sample.mjs: no tsx, a warm-up first, no forced GC: it would throw the warm code away),
 * so one scenario's JIT state does not colour the next's. The value is the median over
 * samples of schedules per CPU-second (user + system: waiting for a core on a shared
 * machine does not count); `best` is the fastest sample; `cpu`, `cpuUser` and `wall`
 * give min/median/max by each clock.
 *
 * - `explore.schedules`: fault-vs-munmap × classicMirror × v6, random strategy.
 *   Every line runs on the heap `tuneHeapForExploration` sets (as the CLI and the long
 *   scripts do), except `explore.schedules.default-heap`: the headline on V8's own.
 * - `explore.schedules.<scenario>`: every catalogue scenario classicMirror runs in v6
 *   (fault-vs-munmap's line reuses the headline's samples).
 * - `explore.schedules.workers-2`: explore({ workers: 2 }) on fault-vs-munmap, its
 *   wall-clock rate and its ratio to plain explore sample by sample, alternating in
 *   one process, on samples of 6,000 schedules after a warm-up of 20,000 per thread;
 *   `explore.schedules.workers-2.skipped` when explore has no `workers`.
 *
 * Full mode: 5 samples of 2,000 schedules per line (seeds 1–5) after a warm-up of at
 * least 1.5 s and 5,000 schedules (the JIT keeps optimizing for a few thousand). `--quick` (a smoke run): the headline and the workers line only, 2 samples
 * of 200 schedules.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pairRatios, sampleRates, summary, type Sample } from './stats.mjs';

const SAMPLER = fileURLToPath(new URL('./explore-sample.mjs', import.meta.url));
const HEADLINE = 'fault-vs-munmap';
const ERA = 'v6';

interface CatalogueEntry {
  readonly name: string;
  readonly eras: readonly string[];
  readonly missing: string | null;
}

interface Measured {
  readonly scenario: string;
  readonly driver: string;
  readonly era: string;
  readonly warmupSchedules: number;
  readonly samples: readonly Sample[];
  readonly workers?: number;
  readonly pooled?: readonly Sample[];
  readonly unsupported?: string;
}

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    scenario: { type: 'string', multiple: true },
  },
});
const quick = values.quick;
const samples = quick ? 2 : 5;
const schedules = quick ? 200 : 2_000;
const warmupMs = quick ? 300 : 1_500;
const warmupSchedules = quick ? 300 : 5_000;

/** Run the sampler in a fresh plain-node process and parse its one JSON line. */
function sampler<T>(args: readonly string[]): T {
  const env = { ...process.env };
  delete env.NODE_OPTIONS; // no loader or flag of this process's runner in the measured one
  const r = spawnSync(process.execPath, [SAMPLER, ...args], { encoding: 'utf8', env, maxBuffer: 16 << 20 });
  if (r.status !== 0) throw new Error(`explore-sample ${args.join(' ')} exited ${String(r.status)}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as T;
}

function emit(line: Record<string, unknown>): void {
  console.log(JSON.stringify(line));
}

/** A rate line from one measured scenario. */
function rateLine(name: string, m: Measured, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const r = sampleRates(m.samples);
  const cpu = summary(r.cpu);
  const verdicts = [...new Set(m.samples.flatMap((s) => s.verdicts))];
  return { name, unit: 'schedules/s', value: cpu.median, clock: 'cpu', best: cpu.max, cpu, cpuUser: summary(r.cpuUser), wall: summary(r.wall), samples: m.samples.length, schedulesPerSample: schedules, scenario: m.scenario, driver: m.driver, era: m.era, verdicts, warmupMs, warmupSchedules: m.warmupSchedules, ...extra };
}

const common = ['--samples', String(samples), '--schedules', String(schedules), '--warmup-ms', String(warmupMs), '--warmup-schedules', String(warmupSchedules)];
const catalogue = sampler<CatalogueEntry[]>(['--list']);
const wanted = values.scenario ?? (quick ? [HEADLINE] : catalogue.map((e) => e.name));
for (const name of wanted) {
  const entry = catalogue.find((e) => e.name === name);
  if (entry === undefined) throw new Error(`no catalogue scenario ${name} (known: ${catalogue.map((e) => e.name).join(', ')})`);
  if (!entry.eras.includes(ERA) || entry.missing !== null) {
    console.error(`explore.schedules.${name}: skipped (${entry.missing === null ? `not for ${ERA}` : `classicMirror lacks ${entry.missing}`})`);
    continue;
  }
  const m = sampler<Measured>(['--scenario', name, ...common]);
  if (name === HEADLINE) {
    emit(rateLine('explore.schedules', m));
    emit(rateLine('explore.schedules.default-heap', sampler<Measured>(['--scenario', name, '--heap', 'default', ...common]), { heap: 'default' }));
  }
  if (!quick) emit(rateLine(`explore.schedules.${name}`, m, name === HEADLINE ? { sameSamplesAs: 'explore.schedules' } : {}));
}

// The worker pool's line: wall clock is its measure (CPU time adds the threads up).
// Longer samples and warm-up than the other lines: an exploration's fixed costs (its
// first schedule runs alone, the first batches are small) weigh on a short one, and the
// worker thread's JIT warms up on its share only.
const pooledSchedules = quick ? schedules : 3 * schedules;
const pooledArgs = ['--samples', String(samples), '--schedules', String(pooledSchedules), '--warmup-ms', String(warmupMs), '--warmup-schedules', String(quick ? warmupSchedules : 4 * warmupSchedules)];
const pooled = sampler<Measured>(['--scenario', HEADLINE, '--workers', '2', ...pooledArgs]);
if (pooled.unsupported !== undefined || pooled.pooled === undefined) {
  emit({ name: 'explore.schedules.workers-2.skipped', unit: 'none', value: 0, reason: `explore does not accept workers: ${pooled.unsupported ?? 'no pooled samples'}` });
} else {
  const one = sampleRates(pooled.samples);
  const two = sampleRates(pooled.pooled);
  const wall = summary(two.wall);
  const ratio = summary(pairRatios(two.wall, one.wall), 3);
  emit({ name: 'explore.schedules.workers-2', unit: 'schedules/s', value: wall.median, clock: 'wall', best: wall.max, wall, cpu: summary(two.cpu), oneWorkerWall: summary(one.wall), ratioToOneWorker: ratio, samples: pooled.pooled.length, schedulesPerSample: pooledSchedules, warmupSchedules: pooled.warmupSchedules, scenario: HEADLINE, driver: pooled.driver, era: pooled.era, workers: 2 });
}
