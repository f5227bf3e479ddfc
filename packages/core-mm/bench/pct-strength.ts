/**
 * PCT's measured strength on the tight depth-d programs (one schedule family hits
 * each bug, so PCT's true rate equals its bound 1/(n·k^(d-1))), over runs chosen so
 * that runs × bound = 200. Prints one JSON object per program with PCT's and
 * random's hit rates. Long-running (tens of seconds): not part of `npm test`.
 *
 *   npm run pct-strength -w @secondary-mmu/core-mm
 */
import { depth1, depth2, depth3, hitRate, pctBound, stepsOf } from '../test/support/pct-programs.js';

for (const program of [depth1(4), depth2(6), depth3(5)]) {
  const k = await stepsOf(program);
  const bound = pctBound(program.tasks, k, program.depth);
  const runs = Math.ceil(200 / bound);
  const pct = await hitRate(program, { strategy: 'pct', depth: program.depth, steps: k, preempt: ['yield'] }, runs);
  const random = await hitRate(program, { strategy: 'random', preempt: ['yield'] }, runs);
  console.log(
    JSON.stringify({ name: `pct.depth${program.depth}.hit-rate`, unit: 'ratio', value: pct, bound, ratioToBound: pct / bound, random, n: program.tasks, k, runs }),
  );
}
