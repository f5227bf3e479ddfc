/**
 * mmu-notifier benchmarks, in core-mm's bench format: one JSON object per line,
 * `{"name", "unit", "value"}` plus detail fields. Each tinybench call runs a batch of
 * invalidations so timer resolution does not dominate; the rate is batch / mean call
 * latency.
 *
 * - `notifier.invalidate.interval-{1k,10k,100k}`: a blockable CLEAR range start+end
 *   pair through the mm's port, overlapping K interval subscriptions among N disjoint
 *   one-page ones spread over the address space (the layout of
 *   test/interval-cost.test.ts). `visits` is `IntervalTree.nodeVisits` per
 *   invalidation: the deterministic cost behind the rate (O(log n + K)).
 * - `notifier.invalidate.list-1`: the same pair with one classic `MmuNotifier`
 *   (start/end callbacks) and no interval tree, for comparison.
 *
 * No page table is touched (no madvise, no zap): only the notifier core — the
 * subscriptions lock with lockdep, the start-map pseudo-lock, might-sleep, SRCU for the
 * list, the interval sequence — and the callbacks. The pairs are counted in
 * `mm.rangesInFlight` as core-mm's call sites count them, so `verify` (run afterwards,
 * untimed) sees a quiet machine.
 */
import { isPromise, Machine, TASK_SIZE, verify, type MmuNotifierRange, type Task } from '@secondary-mmu/core-mm';
import { Bench } from 'tinybench';
import { MmuIntervalNotifier, MmuNotifier, mmuIntervalNotifierInsert, mmuIntervalSetSeq, mmuNotifierRegister, subscriptionsOf, type MmuNotifierSubscriptions } from '../src/index.js';

interface BenchLine {
  readonly name: string;
  readonly unit: string;
  readonly value: number;
  readonly [detail: string]: unknown;
}

interface Rate {
  name: string;
  unit: string;
  batch: number;
  fn: () => unknown;
  note: string;
  /** Detail fields measured outside the timed calls. */
  detail: () => Record<string, unknown>;
  machine: Machine;
}

const P = 4096;
/** Invalidation pairs per timed call. */
const BATCH = 1_000;
/** Interval subscriptions overlapping the target range. */
const K = 8;
const TARGET_PAGES = 4;
const NMAX = 100_000;
/** Filler stride: a page multiple, so NMAX one-page fillers fit below TASK_SIZE. */
const S = Math.floor(TASK_SIZE / NMAX / P) * P;
/** Mid-gap between fillers 50 000 and 50 001, which are in every N-set. */
const TARGET = 50_000 * S + Math.floor(S / 2 / P) * P;

/** The model is sync on a direct task under fifo; a Promise here is a bench bug. */
function sync<T>(x: T | Promise<T>): T {
  if (isPromise(x)) throw new Error('a notifier call suspended in a benchmark that cannot block');
  return x;
}

/** The `v6` machine of the tests (256 frames) with one process. */
function machine(): { m: Machine; t: Task } {
  const m = new Machine({ era: 'v6', memory: { frames: 256 } });
  return { m, t: m.mem.createProcess('app').task('cpu0') };
}

/** `BATCH` start+end pairs of `range` through the port, as core-mm's call sites make them. */
function pairs(t: Task, subs: MmuNotifierSubscriptions, range: MmuNotifierRange): void {
  const mm = t.mm!;
  for (let i = 0; i < BATCH; i++) {
    mm.rangesInFlight++;
    if (sync(subs.invalidateRangeStart(t, range)) !== 0) throw new Error('a blockable range start failed');
    sync(subs.invalidateRangeEnd(t, range));
    mm.rangesInFlight--;
  }
}

function interval(n: number, label: string): Rate {
  const { m, t } = machine();
  const mm = t.mm!;
  let calls = 0;
  const hit = { invalidate: (_t: Task, isub: MmuIntervalNotifier, _r: MmuNotifierRange, seq: number) => (calls++, mmuIntervalSetSeq(isub, seq), true) };
  const miss = {
    invalidate: (): boolean => {
      throw new Error('a filler outside the target range was invalidated');
    },
  };
  for (let j = 0; j < K; j++) sync(mmuIntervalNotifierInsert(t, new MmuIntervalNotifier(hit, `overlap-${j}`), mm, TARGET + (j % TARGET_PAGES) * P, (1 + (j >> 2)) * P));
  const t0 = performance.now();
  for (let i = 0; i < NMAX; i += NMAX / n) sync(mmuIntervalNotifierInsert(t, new MmuIntervalNotifier(miss, 'filler'), mm, i * S, P));
  const insertMs = performance.now() - t0;
  const subs = subscriptionsOf(mm)!;
  const range: MmuNotifierRange = { mm, start: TARGET, end: TARGET + TARGET_PAGES * P, event: 'clear', blockable: true, owner: null };
  return {
    name: `notifier.invalidate.interval-${label}`,
    unit: 'ops/s',
    machine: m,
    batch: BATCH,
    note: `blockable CLEAR range_start + range_end pairs through the port, ${BATCH} per call: ${K} interval subscriptions overlap the ${TARGET_PAGES}-page range among ${n} disjoint one-page ones spread over the address space; no page table work`,
    fn: () => pairs(t, subs, range),
    detail: () => {
      // One more invalidation, untimed, to read its cost and check it reached exactly K.
      const before = subs.itree.nodeVisits;
      const c = calls;
      pairs(t, subs, range);
      const visits = (subs.itree.nodeVisits - before) / BATCH;
      if (calls - c !== K * BATCH) throw new Error(`${label}: ${(calls - c) / BATCH} subscriptions invalidated per range, expected ${K}`);
      return { n, k: K, visits, insertMs: Math.round(insertMs) };
    },
  };
}

function list1(): Rate {
  const { m, t } = machine();
  const mm = t.mm!;
  let calls = 0;
  const sub = new MmuNotifier(
    {
      invalidateRangeStart: () => (calls++, 0),
      invalidateRangeEnd: () => void calls++,
    },
    'list-1',
  );
  sync(mmuNotifierRegister(t, sub, mm));
  const subs = subscriptionsOf(mm)!;
  const range: MmuNotifierRange = { mm, start: TARGET, end: TARGET + TARGET_PAGES * P, event: 'clear', blockable: true, owner: null };
  return {
    name: 'notifier.invalidate.list-1',
    unit: 'ops/s',
    machine: m,
    batch: BATCH,
    note: `blockable CLEAR range_start + range_end pairs through the port, ${BATCH} per call, to one classic mmu_notifier (start and end callbacks) and no interval tree; no page table work`,
    fn: () => pairs(t, subs, range),
    detail: () => {
      const c = calls;
      pairs(t, subs, range);
      if (calls - c !== 2 * BATCH) throw new Error(`list-1: ${calls - c} callbacks for ${BATCH} pairs`);
      return { n: 1 };
    },
  };
}

/** After a bench: the machine's invariants, checked (untimed). */
function invariants(r: Rate): { verify: string } {
  const found = verify(r.machine, { record: false });
  if (found.length > 0) console.error(`${r.name}: verify found ${found.length} violation(s); first: ${found[0]!.message}`);
  const violations = r.machine.report.violations.length;
  if (violations > 0) console.error(`${r.name}: ${violations} violation(s) reported during the run; first: ${r.machine.report.violations[0]!.message}`);
  return { verify: found.length === 0 && violations === 0 ? 'ok' : `${found.length + violations} violation(s)` };
}

/** Per-call rates over the samples: the slowest call, the median call and the fastest (the value is the mean's). */
function spread(batch: number, latency: { min: number; p50: number; max: number }): { min: number; median: number; max: number } {
  return { min: Math.round(batch / (latency.max / 1000)), median: Math.round(batch / (latency.p50 / 1000)), max: Math.round(batch / (latency.min / 1000)) };
}

async function main(): Promise<void> {
  const rates = [interval(1_000, '1k'), interval(10_000, '10k'), interval(100_000, '100k'), list1()];
  const bench = new Bench({ time: 400, warmup: true, warmupTime: 100 });
  for (const r of rates) bench.add(r.name, r.fn);
  await bench.run();
  for (const r of rates) {
    const result = bench.getTask(r.name)?.result;
    if (result === undefined || !('latency' in result)) throw new Error(`benchmark ${r.name} produced no result`);
    const value = Math.round(r.batch / (result.latency.mean / 1000));
    const line: BenchLine = { name: r.name, unit: r.unit, value, samples: result.latency.samplesCount, spread: spread(r.batch, result.latency), ...r.detail(), note: r.note, ...invariants(r) };
    console.log(JSON.stringify(line));
  }
}

await main();
