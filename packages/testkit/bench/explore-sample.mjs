#!/usr/bin/env node
// One explore benchmark line's raw samples, measured warm on a checkout's built output
// under plain node (no tsx, no source transform): what the published package runs.
//
//   node explore-sample.mjs [--testkit <checkout>] --list
//   node explore-sample.mjs [--testkit <checkout>] --scenario <name>
//        [--samples K] [--schedules S] [--warmup-ms W] [--seed B] [--workers N]
//        [--heap tuned|default] [--warmup-schedules M]
//
// --testkit: the checkout (repository root) whose packages/testkit/dist to load
// (default: this package's own build, by its name). The measuring code is this file's
// on both sides of a comparison; only the library under test differs.
// --heap: `tuned` (the default) sets the V8 flags of tuneHeapForExploration, as the
// CLI and the long exploration scripts do (the same flags for a checkout that predates
// it, so both sides of a comparison run on the same heap); `default` leaves V8's own.
// --list: print the catalogue as [{ name, eras, missing }] (missing: the capability
// classicMirror lacks, or null) and exit.
// Otherwise: warm up on the scenario (explorations of 100 schedules for W ms, at
// least M schedules, default 5,000: the JIT keeps optimizing a model this size for a few
// thousand schedules), then K samples, sample k of at least S schedules from base seed
// B + k (explorations stop at a failing schedule: then another seed follows), with no
// forced GC between them: a forced full GC throws away the JIT's optimized code, and
// the next 2,000 schedules ran 4-5x slower while it re-warmed (measured on Node 20). Prints one JSON object: the
// samples' schedules, wall ms, user and system CPU ms. With --workers N the samples
// alternate: plain explore (one thread), then explore({ workers: N }) from the same
// seed, K pairs, after a warm-up of the pool as long as the plain one; when explore does not accept `workers` (an argument error) it prints
// { unsupported: reason } instead.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';

const { values } = parseArgs({
  options: {
    testkit: { type: 'string' },
    list: { type: 'boolean', default: false },
    scenario: { type: 'string' },
    samples: { type: 'string', default: '5' },
    schedules: { type: 'string', default: '2000' },
    'warmup-ms': { type: 'string', default: '1500' },
    seed: { type: 'string', default: '1' },
    workers: { type: 'string' },
    heap: { type: 'string', default: 'tuned' },
    'warmup-schedules': { type: 'string', default: '5000' },
  },
});
if (values.heap !== 'tuned' && values.heap !== 'default') {
  console.error(`explore-sample: --heap must be tuned or default, got ${values.heap}`);
  process.exit(2);
}

/** A positive integer option, or exit with a usage error naming it. */
function count(name, text) {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) {
    console.error(`explore-sample: --${name} must be a non-negative integer, got ${text}`);
    process.exit(2);
  }
  return n;
}

const tk = values.testkit === undefined ? await import('@secondary-mmu/testkit') : await import(pathToFileURL(path.resolve(values.testkit, 'packages/testkit/dist/index.js')).href);
const { explore, classicMirror, loadScenario, SCENARIO_CATALOGUE } = tk;
if (values.heap === 'tuned') for (const flag of tk.EXPLORATION_V8_FLAGS ?? ['--no-allocation-site-pretenuring']) setFlagsFromString(flag);
const ERA = 'v6';

/** The catalogue with what each entry needs; older checkouts without the registry give every era and no requirement. */
function catalogue() {
  const registry = tk.SCENARIO_REGISTRY?.filter((e) => e.kind === 'catalogue');
  return Object.keys(SCENARIO_CATALOGUE).map((name) => {
    const entry = registry?.find((e) => e.name === name);
    const eras = entry?.eras ?? loadScenario(SCENARIO_CATALOGUE[name]).eras ?? [ERA];
    const missing = entry === undefined || tk.missingCapability === undefined ? undefined : tk.missingCapability(entry.requires, classicMirror.capabilities);
    return { name, eras, missing: missing ?? null };
  });
}

if (values.list) {
  console.log(JSON.stringify(catalogue()));
  process.exit(0);
}
const name = values.scenario;
if (name === undefined || SCENARIO_CATALOGUE[name] === undefined) {
  console.error(`explore-sample: --scenario must name a catalogue scenario (${Object.keys(SCENARIO_CATALOGUE).join(', ')}), got ${name}`);
  process.exit(2);
}
const samples = count('samples', values.samples);
const perSample = count('schedules', values.schedules);
const warmupMs = count('warmup-ms', values['warmup-ms']);
const warmupSchedules = count('warmup-schedules', values['warmup-schedules']);
const baseSeed = count('seed', values.seed);
const workers = values.workers === undefined ? undefined : count('workers', values.workers);
const scenario = loadScenario(SCENARIO_CATALOGUE[name]);

/** Explorations from `seed` on until `atLeast` schedules ran, timed on the wall and CPU clocks. */
async function sample(seed, atLeast, extra = {}) {
  const verdicts = new Set();
  let schedules = 0;
  let s = seed;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  while (schedules < atLeast) {
    const r = await explore(scenario, { driver: classicMirror, era: ERA, schedules: atLeast - schedules, seed: s, ...extra });
    schedules += r.schedules;
    verdicts.add(r.verdict);
    s += 1_000_003; // a failing exploration stops early: continue from a fresh seed
  }
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { seed, schedules, wallMs, userMs: cpu.user / 1000, systemMs: cpu.system / 1000, verdicts: [...verdicts] };
}

let warmed = 0;
const warmStart = performance.now();
while (warmed < warmupSchedules || performance.now() - warmStart < warmupMs) {
  warmed += (await explore(scenario, { driver: classicMirror, era: ERA, schedules: 100, seed: 7_000_000 + warmed })).schedules;
}

const base = { scenario: name, driver: classicMirror.name, era: ERA, heap: values.heap, warmupSchedules: warmed };
if (workers === undefined) {
  const out = [];
  for (let k = 0; k < samples; k++) out.push(await sample(baseSeed + k, perSample));
  console.log(JSON.stringify({ ...base, samples: out }));
} else {
  // The worker pool loads the driver by module and export name.
  const pooled = { workers, driver: { module: '@secondary-mmu/testkit', export: 'classicMirror' } };
  try {
    await explore(scenario, { ...pooled, era: ERA, schedules: 2, seed: 1 });
  } catch (err) {
    if (err?.code !== 'EINVAL') throw err;
    console.log(JSON.stringify({ ...base, workers, unsupported: String(err.message) }));
    process.exit(0);
  }
  // The pool's threads warm up too (their own JIT), before any timed sample: each
  // thread runs about its share, so the warm-up is `workers` times as many schedules,
  // in explorations the size of a sample (the batches of a short one are small).
  const poolStart = performance.now();
  for (let n = 0; n < warmupSchedules * workers || performance.now() - poolStart < warmupMs; ) n += (await explore(scenario, { ...pooled, era: ERA, schedules: perSample, seed: 8_000_000 + n })).schedules;
  const single = [];
  const pool = [];
  for (let k = 0; k < samples; k++) {
    single.push(await sample(baseSeed + k, perSample));
    pool.push(await sample(baseSeed + k, perSample, pooled));
  }
  console.log(JSON.stringify({ ...base, workers, samples: single, pooled: pool }));
}
