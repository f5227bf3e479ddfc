// Mutation testing of the testkit's verdict code (`npm run mutation` at the root runs
// every package's): the window matcher, its adaptation to interval notifiers and the
// scenario reference checks (a window hit or an await decides whether a run is
// conclusive), and a conformance case's verdict (pass / fail / inconclusive / skipped)
// with the capability test that skips a case. A surviving mutant is a bug that would
// turn a verdict and still pass CI.
//
// The tests run from vitest.mutation.config.ts: the test files written for these files
// (the whole suite, whose explorations all reach the window matcher, would take about
// an hour a file). Many mutants here run while test files are collected (a scenario is
// loaded and checked at module level), so Stryker runs every test against them.
import { strykerConfig } from '../../test-support/stryker.base.mjs';

const base = strykerConfig('testkit', [
  'src/scenario/windows.ts',
  'src/scenario/adapt-windows.ts',
  'src/scenario/check.ts',
  'src/conformance/run-case.ts',
  'src/conformance/capability.ts',
]);

export default { ...base, vitest: { ...base.vitest, configFile: 'packages/testkit/vitest.mutation.config.ts' } };
