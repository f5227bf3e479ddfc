// Mutation testing of core-mm's checkers (`npm run mutation` at the root runs every
// package's). The files listed are the ones whose verdicts users trust: a surviving
// mutant is a bug that would silence a rule, or make it over-report, and still pass CI.
import { strykerConfig } from '../../test-support/stryker.base.mjs';

export default strykerConfig('core-mm', [
  'src/kernel/check/*.ts',
  'src/mm/verify.ts',
  'src/mm/verify/*.ts',
]);
