/**
 * The kill matrix over many seeds:
 *
 *   npm run build && npm run kill-matrix:long -w @secondary-mmu/testkit -- [N] [budget] [variant…]
 *
 * For every kill-matrix variant (or those named) and base seeds 1..N (default 10),
 * `checkKillMatrixVariant` with shrink budget `budget` (default 200, as `shrink:long`;
 * CI uses 40 at seed 1): fifo must not catch a race and must
 * catch a deterministic bug, the search must catch it within the variant's `schedules`,
 * the shrunk token must replay to the same failure, and the reference must pass. Prints
 * one JSON line per variant × seed, one summary line per variant (seeds with problems,
 * the schedule each seed caught it at) and exits 1 if any seed broke a rule. CI checks
 * seed 1 in `test/kill-matrix.test.ts`.
 */
import { checkKillMatrixVariant, KILL_MATRIX } from '../src/kill-matrix/index.js';
import { tuneHeapForExploration } from '../src/index.js';

// Explorations allocate a machine per schedule: see tuneHeapForExploration.
tuneHeapForExploration();

const [countArg, budgetArg, ...names] = process.argv.slice(2);
const count = Number(countArg ?? 10);
const budget = Number(budgetArg ?? 200);
if (!Number.isSafeInteger(count) || count < 1 || !Number.isSafeInteger(budget) || budget < 0) throw new Error('usage: kill-matrix-long [N] [budget] [variant…] (N ≥ 1, budget ≥ 0)');
const unknown = names.filter((n) => !KILL_MATRIX.some((v) => v.name === n));
if (unknown.length > 0) throw new Error(`unknown variant ${unknown.join(', ')} (known: ${KILL_MATRIX.map((v) => v.name).join(', ')})`);
const variants = names.length === 0 ? KILL_MATRIX : KILL_MATRIX.filter((v) => names.includes(v.name));
const started = performance.now();
let broken = 0;
for (const v of variants) {
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
console.log(JSON.stringify({ variants: variants.length, seeds: count, broken, seconds: Math.round((performance.now() - started) / 1000) }));
process.exit(broken > 0 ? 1 : 0);
