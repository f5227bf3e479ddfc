#!/usr/bin/env node
// Memory stays flat over a long exploration: one explore() of fault-vs-munmap ×
// classicMirror × v6 over N schedules (default 100,000), on the built package under
// plain node, with the heap measured after a forced GC at the start, every N/5
// schedules in between (from inside the run: the driver's attach, once per schedule,
// counts them) and at the end.
//
//   node --expose-gc packages/testkit/bench/explore-memory.mjs [N]
//
// Prints one JSON line, `explore.heap`: the heap used at the end (bytes), the points,
// `growthPercent` (end against start) and `steadyGrowthPercent` (end against the first
// point after the start, once what a run builds once is built). Part of
// `npm run bench:docs`, not of CI.
import { classicMirror, explore, loadScenario, SCENARIO_CATALOGUE, tuneHeapForExploration } from '@secondary-mmu/testkit';

// Explorations allocate a machine per schedule: see tuneHeapForExploration.
tuneHeapForExploration();

const gc = globalThis.gc;
if (typeof gc !== 'function') {
  console.error('explore-memory: run with node --expose-gc');
  process.exit(2);
}
const total = Number(process.argv[2] ?? 100_000);
if (!Number.isSafeInteger(total) || total < 5) {
  console.error(`explore-memory: N must be an integer of at least 5, got ${process.argv[2]}`);
  process.exit(2);
}
const every = Math.floor(total / 5);
const scenario = loadScenario(SCENARIO_CATALOGUE['fault-vs-munmap']);

/** Heap used after a full collection. */
function heapAfterGc() {
  gc();
  return process.memoryUsage().heapUsed;
}

const points = [];
let attached = 0;
const counting = {
  ...classicMirror,
  attach(...args) {
    // Schedule `attached` starts here; the previous ones are over.
    if (attached > 0 && attached % every === 0) points.push({ schedules: attached, heapUsed: heapAfterGc() });
    attached++;
    return classicMirror.attach(...args);
  },
};

// Warm-up: lazily built tables and compiled code (optimized code is heap too, and the
// JIT keeps optimizing for a few thousand schedules) exist before the first point.
await explore(scenario, { driver: counting, era: 'v6', schedules: 5_000, seed: 9_000_001 });
attached = 0;
points.length = 0;
const start = heapAfterGc();
points.push({ schedules: 0, heapUsed: start });
const t0 = performance.now();
const r = await explore(scenario, { driver: counting, era: 'v6', schedules: total, seed: 1 });
const seconds = (performance.now() - t0) / 1000;
const end = heapAfterGc();
points.push({ schedules: r.schedules, heapUsed: end });
const percent = (from, to) => Number((((to - from) / from) * 100).toFixed(1));
const growthPercent = percent(start, end);
// The first stretch fills what a run builds once (caches, grown tables); a leak keeps growing after it.
const steadyGrowthPercent = percent(points[1].heapUsed, end);
console.log(JSON.stringify({ name: 'explore.heap', unit: 'bytes', value: end, growthPercent, steadyGrowthPercent, start, points, schedules: r.schedules, verdict: r.verdict, seconds: Number(seconds.toFixed(1)), scenario: 'fault-vs-munmap', driver: classicMirror.name, era: 'v6' }));
