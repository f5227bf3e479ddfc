/**
 * testkit benchmarks, in core-mm's bench format: one JSON object per line,
 * `{"name", "unit", "value"}` plus detail fields.
 *
 * - `explore.schedules`: schedules per second that `explore` runs on the catalogue's
 *   fault-vs-munmap scenario with the classic mirror (v6, random strategy, a fixed seed):
 *   a plain timed loop over whole explorations, after one warm-up exploration.
 */
import { explore } from '../src/index.js';
import { classicMirror, loadScenario, SCENARIO_CATALOGUE } from '../src/index.js';

const SCENARIO = 'fault-vs-munmap';
/** Schedules per exploration. */
const SCHEDULES = 50;
/** Least measuring time. */
const TIME_MS = 1_000;

async function main(): Promise<void> {
  const scenario = loadScenario(SCENARIO_CATALOGUE[SCENARIO]!);
  const options = { driver: classicMirror, era: 'v6', schedules: SCHEDULES, seed: 1 } as const;
  await explore(scenario, options);
  let schedules = 0;
  let verdict = '';
  const start = performance.now();
  while (performance.now() - start < TIME_MS) {
    const r = await explore(scenario, options);
    schedules += r.schedules;
    verdict = r.verdict;
  }
  const seconds = (performance.now() - start) / 1000;
  console.log(JSON.stringify({ name: 'explore.schedules', unit: 'schedules/s', value: Math.round(schedules / seconds), scenario: SCENARIO, schedules, verdict }));
}

await main();
