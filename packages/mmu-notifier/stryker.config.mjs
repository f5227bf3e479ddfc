// Mutation testing of the coherence oracle (`npm run mutation` at the root runs every
// package's): each rule file, so a bug that would silence a rule or make it
// over-report, and still pass CI, shows as a surviving mutant.
import { strykerConfig } from '../../test-support/stryker.base.mjs';

export default strykerConfig('mmu-notifier', ['src/oracle/*.ts', '!src/oracle/index.ts']);
