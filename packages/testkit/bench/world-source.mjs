#!/usr/bin/env node
// What a copied world saves: explorations of one scenario with `world: 'build'` and
// with `world: 'copy'`, alternating in one process (pair by pair, so both sides see the same
// load), on the built package under plain node.
//
//   node bench/world-source.mjs [--samples K] [--runs R] [--pages P…]
//
// Scenarios: fault-vs-munmap (the headline, 4 pages filled) and, for each P (default
// 8, 32, 128, 512), a scenario whose set-up faults in P pages and whose run unmaps them
// while a device reads the last (classicMirror, v6, random strategy). After a warm-up of
// each side, K pairs (default 5) of explorations of R schedules (default 1,000; base seed
// k for pair k). Prints one
// JSON line per scenario and side, `{"name", "unit", "value"}` in the bench format
// (value: the median of the samples' schedules per CPU-second), with min/median/max by CPU
// and wall clock, and one line per scenario with the copy/build ratio pair by pair.
// On the heap tuneHeapForExploration sets, as the explore bench. `COPY_FROM_PAGES`, the
// point from which `world: 'auto'` copies, is read from these.
import { parseArgs } from 'node:util';
import { classicMirror, explore, loadScenario, SCENARIO_REGISTRY, setup, tuneHeapForExploration } from '@secondary-mmu/testkit';
import { pairRatios, summary } from './stats.mjs';

tuneHeapForExploration(); // as the CLI, the long scripts and the explore bench run

const { values } = parseArgs({
  options: {
    samples: { type: 'string', default: '5' },
    runs: { type: 'string', default: '1000' },
    pages: { type: 'string', multiple: true },
  },
});
const samples = Number(values.samples);
const runs = Number(values.runs);
const pageCounts = (values.pages ?? ['8', '32', '128', '512']).map(Number);

/** A set-up of `pages` filled pages, unmapped by the CPU while the device reads the last. */
function filled(pages) {
  return loadScenario(`name: setup-${pages}-pages
${setup({ mappings: [{ name: 'buf', pages, fill: 100 }] })}
tasks:
  - name: cpu
    process: app
    steps:
      - { op: munmap, at: "buf[0]", pages: ${pages} }
  - name: engine
    driver: gpu
    steps:
      - { op: device-read, at: "buf[${pages - 1}]", allow: [EFAULT] }
`);
}

const scenarios = [
  { name: 'fault-vs-munmap', scenario: loadScenario(SCENARIO_REGISTRY.find((e) => e.name === 'fault-vs-munmap').yaml) },
  ...pageCounts.map((p) => ({ name: `setup-${p}-pages`, scenario: filled(p) })),
];

/** An exploration of R schedules from base seed `seed`: CPU and wall ms. */
async function sample(scenario, world, seed) {
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  const r = await explore(scenario, { driver: classicMirror, era: 'v6', schedules: runs, seed, world });
  const cpu = process.cpuUsage(cpu0);
  if (r.schedules !== runs) throw new Error(`${scenario.name}: explore stopped after ${r.schedules} schedules (${r.verdict})`);
  return { cpuMs: (cpu.user + cpu.system) / 1000, wallMs: performance.now() - wall0 };
}

for (const { name, scenario } of scenarios) {
  for (const world of ['build', 'copy']) await sample(scenario, world, 100); // warm-up, and the template built
  const rates = { build: { cpu: [], wall: [] }, copy: { cpu: [], wall: [] } };
  for (let k = 0; k < samples; k++) {
    for (const world of ['build', 'copy']) {
      const s = await sample(scenario, world, k + 1);
      rates[world].cpu.push((runs * 1000) / s.cpuMs);
      rates[world].wall.push((runs * 1000) / s.wallMs);
    }
  }
  for (const world of ['build', 'copy']) {
    const cpu = summary(rates[world].cpu);
    console.log(JSON.stringify({ name: `world.${world}.${name}`, unit: 'schedules/s (CPU)', value: cpu.median, cpu, wall: summary(rates[world].wall), samples, runs }));
  }
  const ratio = summary(pairRatios(rates.copy.cpu, rates.build.cpu), 3);
  console.log(JSON.stringify({ name: `world.copy-vs-build.${name}`, unit: 'ratio (CPU, pair by pair)', value: ratio.median, ratio }));
}
