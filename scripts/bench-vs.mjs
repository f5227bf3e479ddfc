#!/usr/bin/env node
// Compares this checkout's benchmarks with another checkout's, side by side in one run.
//
//   node scripts/bench-vs.mjs <other-checkout> [rounds=3] [package…]
//
// Both checkouts must be installed and built (npm ci && npm run build). For each round
// and each package, the package's `bench` script runs in the other checkout, then in
// this one, so load on a shared machine falls on both alike. Prints one JSON line per
// rate: the min/median/max of each side and the median ratio (this / other), then a
// closing line with the rates whose median dropped by more than the noise allowance.
// Only `ops/s`-like rates are compared (kernel.*, ratio.* and `none`-unit lines are
// skipped: the real kernel is the same on both sides). The default packages are
// core-mm and mmu-notifier: testkit's explore lines have their own side-by-side script,
// scripts/bench-vs-explore.mjs, which pairs them sample by sample.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [otherArg, roundsArg, ...packagesArg] = process.argv.slice(2);
if (otherArg === undefined) {
  console.error('usage: node scripts/bench-vs.mjs <other-checkout> [rounds=3] [package…]');
  process.exit(2);
}
const other = path.resolve(otherArg);
const rounds = Number(roundsArg ?? 3);
if (!Number.isInteger(rounds) || rounds < 1) {
  console.error(`rounds must be a positive integer, got ${roundsArg}`);
  process.exit(2);
}
const packages = packagesArg.length > 0 ? packagesArg : ['core-mm', 'mmu-notifier'];
for (const root of [here, other]) {
  for (const p of packages) {
    if (!existsSync(path.join(root, 'packages', p, 'package.json'))) {
      console.error(`${root} has no packages/${p}`);
      process.exit(2);
    }
  }
}

/** name -> { this: number[], other: number[], unit } */
const rates = new Map();

function runBench(root, pkg, side) {
  const r = spawnSync('npm', ['run', '--silent', 'bench'], { cwd: path.join(root, 'packages', pkg), encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${side} ${pkg}: bench exited ${r.status}\n${r.stderr}`);
  for (const line of r.stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const row = JSON.parse(line);
    if (typeof row.value !== 'number' || row.unit === 'none' || row.name.startsWith('kernel.') || row.name.startsWith('ratio.')) continue;
    const key = `${pkg}:${row.name}`;
    if (!rates.has(key)) rates.set(key, { unit: row.unit, this: [], other: [] });
    rates.get(key)[side].push(row.value);
  }
}

for (let i = 0; i < rounds; i++) {
  for (const pkg of packages) {
    runBench(other, pkg, 'other');
    runBench(here, pkg, 'this');
  }
  console.error(`round ${i + 1}/${rounds} done`);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const stats = (xs) => ({ min: Math.min(...xs), median: median(xs), max: Math.max(...xs) });

// A drop is reported only past what the two sides' own spread could explain.
const slower = [];
for (const [name, r] of rates) {
  if (r.this.length === 0 || r.other.length === 0) continue;
  const a = stats(r.this);
  const b = stats(r.other);
  const ratio = a.median / b.median;
  console.log(JSON.stringify({ name, unit: r.unit, this: a, other: b, ratio: Number(ratio.toFixed(3)) }));
  if (a.max < b.min) slower.push(`${name} ${ratio.toFixed(2)}x`);
}
console.log(JSON.stringify({ name: 'bench-vs', rounds, slowerOnEveryRun: slower }));
