/**
 * The shrinker over many failing schedules:
 *
 *   npm run build && npm run shrink:long -w @secondary-mmu/testkit -- [N] [budget]
 *
 * For every kill-matrix variant and base seeds 1..N (default 6), explore as the kill
 * matrix test does (random, the variant's schedules) with shrink budget `budget`
 * (default 200), then check the shrunk schedule's 1-minimality from its token alone
 * (`test/support/one-minimal.ts`: each non-default decision made the default, run and
 * replayed plainly, must not fail with every original kind). Prints one JSON line per
 * variant × seed and a summary line; exits 1 if a schedule claimed minimal is not.
 * CI checks seed 1 of every variant (budget 40) in `test/kill-matrix.test.ts`.
 */
import { explore, tuneHeapForExploration } from '../src/index.js';
import { KILL_MATRIX, killMatrixScenario } from '../src/kill-matrix/index.js';
import { removals } from '../test/support/one-minimal.js';

// Explorations allocate a machine per schedule: see tuneHeapForExploration.
tuneHeapForExploration();

const [countArg, budgetArg] = process.argv.slice(2);
const count = Number(countArg ?? 6);
const budget = Number(budgetArg ?? 200);
if (!Number.isSafeInteger(count) || count < 1 || !Number.isSafeInteger(budget) || budget < 1) throw new Error('usage: shrink-long [N] [budget] (positive integers)');
const started = performance.now();
const total = { schedules: 0, minimal: 0, wrong: 0, before: 0, after: 0, runs: 0 };
for (const v of KILL_MATRIX) {
  const scenario = killMatrixScenario(v);
  for (let seed = 1; seed <= count; seed++) {
    const r = await explore(scenario, { driver: v.driver, era: v.era, schedules: v.schedules, seed, shrinkBudget: budget });
    if (r.failing === null || r.shrunk === null) {
      console.log(JSON.stringify({ variant: v.name, seed, verdict: r.verdict }));
      continue;
    }
    const kinds = [...new Set(r.failing.violations.map((x) => x.kind))];
    const still = (await removals(r.scenario, v.driver, v.era, r.shrunk.token, kinds)).filter((d) => d.stillFails).map((d) => d.at);
    const s = r.shrunk;
    total.schedules++;
    total.before += r.failing.preemptions;
    total.after += s.preemptions;
    total.runs += s.runs;
    if (s.minimal) total.minimal++;
    if (s.minimal && still.length > 0) total.wrong++;
    console.log(JSON.stringify({ variant: v.name, seed, preemptions: [r.failing.preemptions, s.preemptions], nonDefault: s.nonDefault, minimal: s.minimal, droppable: still, runs: s.runs }));
  }
}
console.log(JSON.stringify({ ...total, seconds: Math.round((performance.now() - started) / 1000) }));
process.exit(total.wrong > 0 ? 1 : 0);
