/**
 * The multi-region shapes over many seeds:
 *
 *   npm run build && npm run multi-region:long -w @secondary-mmu/testkit -- [N]
 *
 * Runs `munmap-across-regions` and `two-devices-across-regions` with the ODP mirror
 * (one interval notifier per two-page region) on seeds 1..N (default 500, random
 * strategy), then the whole conformance suite on it with seeds 1..8 in every era it
 * declares. Prints one JSON line per scenario (runs, violations, window hits, seconds)
 * and the conformance counts; exits 1 on any violation, failing run or failing case.
 * CI runs fewer seeds in `test/odp-mirror.test.ts`.
 */
import { checkDriver, loadScenario, odpMirror, runScenario, SCENARIO_CATALOGUE, tuneHeapForExploration } from '../src/index.js';

// Explorations allocate a machine per schedule: see tuneHeapForExploration.
tuneHeapForExploration();

const count = Number(process.argv[2] ?? 500);
if (!Number.isSafeInteger(count) || count < 1) throw new Error('usage: multi-region-long [N] (a positive integer)');
let bad = 0;
for (const name of ['munmap-across-regions', 'two-devices-across-regions']) {
  const started = performance.now();
  const scenario = loadScenario(SCENARIO_CATALOGUE[name]!, { source: name });
  let violations = 0;
  let failed = 0;
  let hits = 0;
  for (let seed = 1; seed <= count; seed++) {
    const r = await runScenario(scenario, odpMirror, { era: 'v6', seed });
    violations += r.violations.length;
    if (r.verdict === 'fail') {
      failed++;
      console.log(JSON.stringify({ scenario: name, seed, reasons: r.reasons, token: r.token }));
    }
    if (r.verdict === 'pass') hits++;
  }
  bad += violations + failed;
  console.log(JSON.stringify({ scenario: name, driver: odpMirror.name, runs: count, violations, failed, windowHit: hits, seconds: Math.round((performance.now() - started) / 100) / 10 }));
}
const report = await checkDriver(odpMirror);
console.log(JSON.stringify({ conformance: odpMirror.name, eras: report.eras, seeds: report.seeds.length, counts: report.counts, ok: report.ok }));
if (!report.ok) bad++;
process.exit(bad === 0 ? 0 : 1);
