/**
 * The kill matrix over many seeds:
 *
 *   npm run build && npm run kill-matrix:long -w @secondary-mmu/testkit -- [N] [budget]
 *
 * For every kill-matrix variant and base seeds 1..N (default 10), `checkKillMatrixVariant`
 * with shrink budget `budget` (default 40, as CI): fifo must not catch a race and must
 * catch a deterministic bug, the search must catch it within the variant's `schedules`,
 * the shrunk token must replay to the same failure, and the reference must pass. Prints
 * one JSON line per variant × seed, one summary line per variant (seeds with problems,
 * the schedule each seed caught it at) and exits 1 if any seed broke a rule. CI checks
 * seed 1 in `test/kill-matrix.test.ts`.
 */
import { checkKillMatrixVariant, KILL_MATRIX } from '../src/kill-matrix/index.js';

const [countArg, budgetArg] = process.argv.slice(2);
const count = Number(countArg ?? 10);
const budget = Number(budgetArg ?? 40);
if (!Number.isSafeInteger(count) || count < 1 || !Number.isSafeInteger(budget) || budget < 0) throw new Error('usage: kill-matrix-long [N] [budget] (N ≥ 1, budget ≥ 0)');
const started = performance.now();
let broken = 0;
for (const v of KILL_MATRIX) {
  const caughtAt: number[] = [];
  let bad = 0;
  for (let seed = 1; seed <= count; seed++) {
    const c = await checkKillMatrixVariant(v, { seed, shrinkBudget: budget });
    caughtAt.push(c.caught.length > 0 ? c.explored.schedules : 0);
    if (c.problems.length > 0) bad++;
    console.log(JSON.stringify({ variant: v.name, seed, caughtAt: c.explored.schedules, caught: c.caught, preemptions: c.explored.shrunk?.preemptions ?? null, problems: c.problems }));
  }
  broken += bad;
  console.log(JSON.stringify({ variant: v.name, race: v.race, budget: v.schedules, seedsWithProblems: bad, caughtAt, worst: Math.max(...caughtAt) }));
}
console.log(JSON.stringify({ variants: KILL_MATRIX.length, seeds: count, broken, seconds: Math.round((performance.now() - started) / 1000) }));
process.exit(broken > 0 ? 1 : 0);
