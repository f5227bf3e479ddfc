/**
 * PCT's measured strength. Prints one JSON object per program with PCT's and random's
 * hit rates over runs chosen so that runs × bound = 200 (seeds 1..runs). Long-running
 * (tens of seconds): not part of `npm test`.
 *
 * - `pct.depth<d>.hit-rate`: the tight depth-d programs (one schedule family hits each
 *   bug, so PCT's true rate equals its bound 1/(n·k^(d-1))).
 * - `pct.after-all.<s>.hit-rate` (d = 1) and `pct.inside-gap.<s>.hit-rate` (d = 2): the
 *   long-thread programs at s steps a task, where random's rate falls like 2^-s and
 *   PCT's stays near its bound; `randomExact` is random's exact rate.
 *
 *   npm run pct-strength -w @secondary-mmu/core-mm
 */
import { afterAll, depth1, depth2, depth3, hitRate, insideGap, pctBound, stepsOf, type DepthProgram } from '../test/support/pct-programs.js';

async function measure(name: string, program: DepthProgram): Promise<void> {
  const k = await stepsOf(program);
  const bound = pctBound(program.tasks, k, program.depth);
  const runs = Math.ceil(200 / bound);
  const pct = await hitRate(program, { strategy: 'pct', depth: program.depth, steps: k, preempt: ['yield'] }, runs);
  const random = await hitRate(program, { strategy: 'random', preempt: ['yield'] }, runs);
  const exact = program.randomRate === undefined ? {} : { randomExact: program.randomRate };
  console.log(JSON.stringify({ name, unit: 'ratio', value: pct, bound, ratioToBound: pct / bound, random, ...exact, n: program.tasks, k, runs }));
}

const started = performance.now();
for (const program of [depth1(4), depth2(6), depth3(5)]) await measure(`pct.depth${program.depth}.hit-rate`, program);
for (const s of [4, 8, 12, 16]) await measure(`pct.after-all.${s}.hit-rate`, afterAll(s));
for (const s of [4, 8, 12, 16]) await measure(`pct.inside-gap.${s}.hit-rate`, insideGap(s));
console.log(JSON.stringify({ name: 'pct-strength.seconds', unit: 's', value: Math.round((performance.now() - started) / 100) / 10 }));
