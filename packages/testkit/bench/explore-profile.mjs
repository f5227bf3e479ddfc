#!/usr/bin/env node
// Where an exploration's time and allocations go: the top functions by self time (CPU
// profile) and the top allocation sites per schedule (sampling heap profile, collected
// objects included), measured warm on the built packages under plain node.
//
//   npm run build && node packages/testkit/bench/explore-profile.mjs [--scenario S] [--schedules N] [--top K]
//
// Prints one JSON object: { scenario, schedules, cpuMsPerSchedule, bytesPerSchedule,
// self: [{ fn, at, percent }], allocations: [{ fn, at, bytesPerSchedule }] }. The CPU
// and the heap profile come from two separate explorations of the same seeds (the heap
// sampler slows the run it watches).
import { Session } from 'node:inspector/promises';
import { parseArgs } from 'node:util';
import { classicMirror, explore, loadScenario, SCENARIO_CATALOGUE, tuneHeapForExploration } from '@secondary-mmu/testkit';

// Explorations allocate a machine per schedule: see tuneHeapForExploration.
tuneHeapForExploration();

const { values } = parseArgs({ options: { scenario: { type: 'string', default: 'fault-vs-munmap' }, schedules: { type: 'string', default: '2000' }, top: { type: 'string', default: '20' } } });
const schedules = Number(values.schedules);
const top = Number(values.top);
if (!Number.isSafeInteger(schedules) || schedules <= 0 || !Number.isSafeInteger(top) || top <= 0) {
  console.error('explore-profile: --schedules and --top must be positive integers');
  process.exit(2);
}
const yaml = SCENARIO_CATALOGUE[values.scenario];
if (yaml === undefined) {
  console.error(`explore-profile: unknown scenario ${values.scenario} (one of ${Object.keys(SCENARIO_CATALOGUE).join(', ')})`);
  process.exit(2);
}
const scenario = loadScenario(yaml);
const run = () => explore(scenario, { driver: classicMirror, era: 'v6', schedules, seed: 1 });

/** `name file:line` of a profile node's call frame. */
const where = (f) => ({ fn: f.functionName || '(anonymous)', at: `${f.url.split('/').slice(-3).join('/')}:${f.lineNumber + 1}` });

await explore(scenario, { driver: classicMirror, era: 'v6', schedules: 300, seed: 99 }); // warm up
const session = new Session();
session.connect();

await session.post('Profiler.enable');
await session.post('Profiler.start');
const cpu0 = process.cpuUsage();
await run();
const cpu = process.cpuUsage(cpu0);
const { profile } = await session.post('Profiler.stop');
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfTime = new Map();
let total = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  total += dt;
  const key = JSON.stringify(where(byId.get(id).callFrame));
  selfTime.set(key, (selfTime.get(key) ?? 0) + dt);
});

await session.post('HeapProfiler.enable');
await session.post('HeapProfiler.startSampling', { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
await run();
const { profile: heap } = await session.post('HeapProfiler.stopSampling');
const allocated = new Map();
let bytes = 0;
const walk = (node) => {
  bytes += node.selfSize;
  const key = JSON.stringify(where(node.callFrame));
  allocated.set(key, (allocated.get(key) ?? 0) + node.selfSize);
  for (const child of node.children) walk(child);
};
walk(heap.head);
session.disconnect();

const largest = (m) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top);
console.log(
  JSON.stringify(
    {
      scenario: values.scenario,
      schedules,
      cpuMsPerSchedule: Number(((cpu.user + cpu.system) / 1000 / schedules).toFixed(3)),
      bytesPerSchedule: Math.round(bytes / schedules),
      self: largest(selfTime).map(([k, t]) => ({ ...JSON.parse(k), percent: Number(((100 * t) / total).toFixed(1)) })),
      allocations: largest(allocated).map(([k, b]) => ({ ...JSON.parse(k), bytesPerSchedule: Math.round(b / schedules) })),
    },
    null,
    2,
  ),
);
