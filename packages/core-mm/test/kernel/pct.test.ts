import { describe, expect, it } from 'vitest';
import { depth1, depth2, depth3, hitRate, pctBound, stepsOf, type DepthProgram } from '../support/pct-programs.js';

// PCT's guarantee (Burckhardt et al., ASPLOS'10): a bug of depth d is hit in one run
// with probability >= 1/(n·k^(d-1)). Runs are chosen so that runs × bound >= 30
// (>= 10 asked); the measured rate must reach the bound. The bugs here are hit by two
// schedule families (window 2), so their true rate is about twice the bound and the
// check is not a coin flip; bench/pct-strength.ts measures the tight window-1
// programs, whose true rate equals the bound, over many more runs.
// Seeded (seeds 1..runs), so the numbers are the same on every machine.
const cases: [string, DepthProgram][] = [
  ['depth 1', depth1(4)],
  ['depth 2', depth2(6, 2)],
  ['depth 3', depth3(5, 2)],
];

describe('PCT strength', () => {
  for (const [label, program] of cases) {
    it(`${label}: hit rate at least 1/(n·k^(d-1))`, async () => {
      const k = await stepsOf(program);
      const bound = pctBound(program.tasks, k, program.depth);
      const runs = Math.ceil(30 / bound);
      const pct = await hitRate(program, { strategy: 'pct', depth: program.depth, steps: k, preempt: ['yield'] }, runs);
      const random = await hitRate(program, { strategy: 'random', preempt: ['yield'] }, runs);
      console.log(JSON.stringify({ program: label, n: program.tasks, k, d: program.depth, runs, bound, pct, random }));
      expect(runs * bound).toBeGreaterThanOrEqual(10);
      expect(pct).toBeGreaterThanOrEqual(bound);
    });
  }

  it('the programs are real: a run under fifo does not hit the depth-2 and depth-3 bugs', async () => {
    expect(await hitRate(depth2(6), { strategy: 'fifo' }, 3)).toBe(0);
    expect(await hitRate(depth3(5), { strategy: 'fifo' }, 3)).toBe(0);
  });
});
