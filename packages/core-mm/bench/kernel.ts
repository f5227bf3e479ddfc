/**
 * The real kernel beside the model, interleaved in one run: compile bench/kernel-ref.c
 * with the system C compiler, then for each memory benchmark both sides measure, take
 * N rounds of one kernel sample (the reference program run for that benchmark alone,
 * at least `minMs` timed) followed at once by one model sample (the same operation,
 * the same batch, at least `minMs` timed, set-up and tear-down untimed as in the
 * tinybench lines). Each ratio comes from a neighbouring pair of samples, so the load
 * of a shared machine at that moment falls on both sides alike.
 *
 * Both sides time CPU (user + system of the process, over the timed windows only) and
 * wall clock. CPU time is the headline: time spent waiting for a core does not count.
 * Prints `kernel.<name>` (the kernel's best of N by CPU time, with min/median/max by
 * both clocks) and `ratio.<name>` (model / kernel: the median of the pairs' CPU ratios,
 * their min/median/max by both clocks, and the ratio of the two sides' best of N).
 * Without a C compiler, one `kernel.skipped` line.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** One benchmark result line. */
export interface BenchLine {
  readonly name: string;
  readonly unit: string;
  readonly value: number;
  readonly [detail: string]: unknown;
}

/** A model benchmark the kernel reference also measures: one call does `batch` operations. */
export interface TimedRate {
  readonly name: string;
  readonly unit: string;
  readonly batch: number;
  readonly fn: () => unknown;
  /** Untimed set-up and tear-down around each timed call. */
  readonly beforeEach?: () => void;
  readonly afterEach?: () => void;
  /** After the rounds: the model machine's invariants, `ok` or what was found. */
  readonly check?: () => string;
}

/** How the comparison runs. */
export interface KernelOptions {
  /** Pages per batch: the model's batch size, so both sides do the same amount of work per call. */
  readonly pages: number;
  /** Timed milliseconds per sample at least, on each side. */
  readonly minMs: number;
  /** Pairs of samples (kernel, then model) per benchmark. */
  readonly rounds: number;
}

/** One sample: operations done, over summed timed windows. */
interface Sample {
  readonly ops: number;
  readonly ns: number;
  readonly cpuNs: number;
}

/** The goals: model / kernel at least this much. */
const GOALS: Readonly<Record<string, number>> = { 'fault.anon-write': 2, 'zap.madv-dontneed': 1 };

/** The benchmarks kernel-ref.c implements, by the model's names. */
const KERNEL_BENCHES = ['fault.anon-write', 'fault.anon-read', 'zap.munmap', 'zap.madv-dontneed', 'mprotect.pte', 'fork'];

/** kernel-ref's fields that make up a sample, not a detail to pass on. */
const SAMPLE_FIELDS = new Set(['name', 'unit', 'value', 'ops', 'ns', 'cpuNs', 'batches']);

const SOURCE = fileURLToPath(new URL('./kernel-ref.c', import.meta.url));

function emit(line: BenchLine): BenchLine {
  console.log(JSON.stringify(line));
  return line;
}

function skipped(reason: string): BenchLine[] {
  return [emit({ name: 'kernel.skipped', unit: 'none', value: 0, reason })];
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const round3 = (x: number): number => Number(x.toPrecision(3));
const summary = (xs: readonly number[]): { min: number; median: number; max: number } => ({ min: round3(Math.min(...xs)), median: round3(median(xs)), max: round3(Math.max(...xs)) });
const cpuRate = (s: Sample): number => s.ops / (s.cpuNs / 1e9);
const wallRate = (s: Sample): number => s.ops / (s.ns / 1e9);

/** One model sample: calls of `r` until `minMs` of timed wall clock. */
function modelSample(r: TimedRate, minMs: number): Sample {
  let ns = 0;
  let cpuUs = 0;
  let ops = 0;
  while (ns < minMs * 1e6) {
    r.beforeEach?.();
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    r.fn();
    const t1 = process.hrtime.bigint();
    const c = process.cpuUsage(c0);
    r.afterEach?.();
    ns += Number(t1 - t0);
    cpuUs += c.user + c.system;
    ops += r.batch;
  }
  return { ops, ns, cpuNs: cpuUs * 1000 };
}

/** Run the comparison for every model rate kernel-ref implements; print and return its lines. */
export function runKernelInterleaved(model: readonly TimedRate[], options: KernelOptions): BenchLine[] {
  const probe = spawnSync('cc', ['--version'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) return skipped('no C compiler');
  const dir = mkdtempSync(path.join(tmpdir(), 'kernel-ref-'));
  try {
    const bin = path.join(dir, 'kernel-ref');
    const built = spawnSync('cc', ['-O2', '-o', bin, SOURCE], { encoding: 'utf8' });
    if (built.status !== 0) return skipped(`cc failed: ${(built.stderr || built.error?.message || '').trim().split('\n')[0] ?? ''}`);
    const out: BenchLine[] = [];
    for (const r of model.filter((m) => KERNEL_BENCHES.includes(m.name))) {
      const kernel: Sample[] = [];
      const mine: Sample[] = [];
      let detail: Record<string, unknown> = {};
      r.beforeEach?.();
      r.fn(); // warm the model's path before the first pair (the kernel's needs no JIT)
      r.afterEach?.();
      for (let i = 0; i < options.rounds; i++) {
        const run = spawnSync(bin, [String(options.pages), String(options.minMs), r.name], { encoding: 'utf8', timeout: 60_000 });
        if (run.status !== 0) return [...out, ...skipped(`kernel-ref ${r.name} failed (status ${String(run.status)}): ${(run.stderr || run.error?.message || '').trim()}`)];
        let line: BenchLine & Sample;
        try {
          line = JSON.parse(run.stdout.trim()) as BenchLine & Sample;
        } catch {
          return [...out, ...skipped(`kernel-ref printed a line that is not JSON: ${run.stdout}`)];
        }
        // What the kernel reports beyond the sample (e.g. whether reads mapped the zero page).
        detail = Object.fromEntries(Object.entries(line).filter(([k]) => !SAMPLE_FIELDS.has(k)));
        kernel.push({ ops: line.ops, ns: line.ns, cpuNs: line.cpuNs });
        mine.push(modelSample(r, options.minMs));
      }
      const kCpu = kernel.map(cpuRate);
      const mCpu = mine.map(cpuRate);
      const kWall = kernel.map(wallRate);
      const mWall = mine.map(wallRate);
      out.push(emit({ name: `kernel.${r.name}`, unit: r.unit, value: Math.round(Math.max(...kCpu)), clock: 'cpu', rounds: options.rounds, cpu: summary(kCpu), wall: summary(kWall), ...detail }));
      const pairs = mCpu.map((m, i) => m / kCpu[i]!);
      const value = round3(median(pairs));
      const goal = GOALS[r.name];
      out.push(
        emit({
          name: `ratio.${r.name}`,
          unit: 'model/kernel',
          value,
          clock: 'cpu',
          pairs: summary(pairs),
          wallPairs: summary(mWall.map((m, i) => m / kWall[i]!)),
          bestOfN: { cpu: round3(Math.max(...mCpu) / Math.max(...kCpu)), wall: round3(Math.max(...mWall) / Math.max(...kWall)) },
          model: { cpu: summary(mCpu), wall: summary(mWall) },
          rounds: options.rounds,
          ...(r.check === undefined ? {} : { verify: r.check() }),
          ...(goal === undefined ? {} : { goal, met: value >= goal }),
        }),
      );
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
