#!/usr/bin/env node
// The explore lines of this checkout and another, side by side in one run.
//
//   node scripts/bench-vs-explore.mjs <other-checkout> [--rounds 5] [--schedules 2000]
//        [--warmup-ms 1500] [--scenario <name>]… [--other-heap tuned|default]
//
// Both checkouts must be installed and built (npm ci && npm run build). Each round
// measures every catalogue scenario both checkouts run (classicMirror, v6) once per
// side, each in its own plain-node process on that checkout's built testkit, with this
// checkout's sampler (packages/testkit/bench/explore-sample.mjs) on both sides: the
// same warm-up, the same seed (the round's), one sample of --schedules schedules. The
// two sides of a pair run back to back, this checkout first in even rounds and the
// other first in odd ones, so load on a shared machine and the order fall on both
// alike. Prints one JSON line per scenario: min/median/max of schedules per
// CPU-second (user + system, the headline) and per wall second for each side, and
// the ratios (this / other) pair by pair; `slower` is true when this checkout is slower
// beyond noise (every pair's CPU ratio below 1 and the ratio of medians below 1 by more
// than the larger relative half-spread of the two sides). A closing line lists them.
// Both sides run on the heap tuneHeapForExploration sets (the sampler's default), so
// only the library differs; `--other-heap default` runs the other side on V8's
// defaults instead: a checkout from before the tuning, as its programs ran.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median, pairRatios, sampleRates, slowerBeyondNoise, summary } from '../packages/testkit/bench/stats.mjs';

const here = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SAMPLER = path.join(here, 'packages/testkit/bench/explore-sample.mjs');
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    rounds: { type: 'string', default: '5' },
    schedules: { type: 'string', default: '2000' },
    'warmup-ms': { type: 'string', default: '1500' },
    scenario: { type: 'string', multiple: true },
    'other-heap': { type: 'string', default: 'tuned' },
  },
});
if (values['other-heap'] !== 'tuned' && values['other-heap'] !== 'default') {
  console.error(`--other-heap must be tuned or default, got ${values['other-heap']}`);
  process.exit(2);
}
if (positionals.length !== 1) {
  console.error('usage: node scripts/bench-vs-explore.mjs <other-checkout> [--rounds 5] [--schedules 2000] [--warmup-ms 1500] [--scenario <name>]…');
  process.exit(2);
}
const other = path.resolve(positionals[0]);
for (const [name, text] of [['rounds', values.rounds], ['schedules', values.schedules], ['warmup-ms', values['warmup-ms']]]) {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < (name === 'warmup-ms' ? 0 : 1)) {
    console.error(`--${name} must be a ${name === 'warmup-ms' ? 'non-negative' : 'positive'} integer, got ${text}`);
    process.exit(2);
  }
}
const rounds = Number(values.rounds);
for (const root of [here, other]) {
  if (!existsSync(path.join(root, 'packages/testkit/dist/index.js'))) {
    console.error(`${root} has no built testkit (packages/testkit/dist/index.js): npm ci && npm run build there first`);
    process.exit(2);
  }
}

/** Run the sampler against checkout `root` and parse its one JSON line. */
function sampler(root, args) {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const r = spawnSync(process.execPath, [SAMPLER, '--testkit', root, ...args], { encoding: 'utf8', env, maxBuffer: 16 << 20 });
  if (r.status !== 0) throw new Error(`explore-sample against ${root} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1));
}

const runs = (entry) => entry.eras.includes('v6') && entry.missing === null;
const mine = sampler(here, ['--list']).filter(runs);
const theirs = new Set(sampler(other, ['--list']).filter(runs).map((e) => e.name));
const scenarios = mine.map((e) => e.name).filter((n) => theirs.has(n) && (values.scenario === undefined || values.scenario.includes(n)));
if (scenarios.length === 0) {
  console.error('no catalogue scenario to compare (check --scenario)');
  process.exit(2);
}

/** scenario -> { this: Sample[], other: Sample[] }, pair i from round i. */
const samples = new Map(scenarios.map((n) => [n, { this: [], other: [] }]));
const args = (name, round) => ['--scenario', name, '--samples', '1', '--schedules', values.schedules, '--warmup-ms', values['warmup-ms'], '--seed', String(round + 1)];
for (let round = 0; round < rounds; round++) {
  for (const name of scenarios) {
    const sides = round % 2 === 0 ? [['this', here], ['other', other]] : [['other', other], ['this', here]];
    for (const [side, root] of sides) samples.get(name)[side].push(...sampler(root, [...args(name, round), '--heap', side === 'other' ? values['other-heap'] : 'tuned']).samples);
  }
  console.error(`round ${round + 1}/${rounds} done`);
}

const slower = [];
for (const [name, s] of samples) {
  const a = sampleRates(s.this);
  const b = sampleRates(s.other);
  const cpuRatios = pairRatios(a.cpu, b.cpu);
  const isSlower = slowerBeyondNoise(a.cpu, b.cpu);
  if (isSlower) slower.push(`${name} ${(median(a.cpu) / median(b.cpu)).toFixed(2)}x`);
  console.log(
    JSON.stringify({
      name: `explore.schedules.${name}`,
      unit: 'schedules/s',
      this: { cpu: summary(a.cpu), wall: summary(a.wall) },
      other: { cpu: summary(b.cpu), wall: summary(b.wall) },
      ratio: { cpu: Number((median(a.cpu) / median(b.cpu)).toFixed(3)), pairs: cpuRatios.map((r) => Number(r.toFixed(3))), wallPairs: pairRatios(a.wall, b.wall).map((r) => Number(r.toFixed(3))) },
      slower: isSlower,
    }),
  );
}
console.log(JSON.stringify({ name: 'bench-vs-explore', other, otherHeap: values['other-heap'], rounds, schedulesPerSample: Number(values.schedules), slowerBeyondNoise: slower }));
