import { describe, expect, it } from 'vitest';
import { afterAll, depth1, depth2, depth3, hitRate, insideGap, pctBound, stepsOf, type DepthProgram } from '../support/pct-programs.js';

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

// Where PCT matters: bugs that need one task to run many steps in a row. Random's rate
// falls like 2^-k (each program knows its exact random rate); PCT's stays near its
// bound. Runs × bound >= 60, so PCT's expected hits are twice (depth 2) or 1.5 times
// (depth 1) the 60 the bound asks for; the comparison with random asks for a gap of
// four standard deviations of the two hit counts, not just a ratio.
const longCases: [string, DepthProgram][] = [
  ['after-all, 6 steps a task', afterAll(6)],
  ['after-all, 10 steps a task', afterAll(10)],
  ['inside-gap, 6 steps a task', insideGap(6)],
  ['inside-gap, 10 steps a task', insideGap(10)],
];

describe('PCT against random on long threads', () => {
  for (const [label, program] of longCases) {
    it(`${label} (depth ${program.depth}): PCT reaches its bound, random falls short of it`, async () => {
      const k = await stepsOf(program);
      const bound = pctBound(program.tasks, k, program.depth);
      const runs = Math.ceil(60 / bound);
      const pct = await hitRate(program, { strategy: 'pct', depth: program.depth, steps: k, preempt: ['yield'] }, runs);
      const random = await hitRate(program, { strategy: 'random', preempt: ['yield'] }, runs);
      console.log(JSON.stringify({ program: label, n: program.tasks, k, d: program.depth, runs, bound, pct, random, randomExact: program.randomRate }));
      expect(pct).toBeGreaterThanOrEqual(bound);
      expect(program.randomRate!).toBeLessThan(bound / 4);
      expect(random).toBeLessThan(bound / 2);
      const [p, r] = [pct * runs, random * runs];
      expect(p - r).toBeGreaterThan(4 * Math.sqrt(p + r));
      expect(pct).toBeGreaterThanOrEqual(4 * random);
    });
  }
});
