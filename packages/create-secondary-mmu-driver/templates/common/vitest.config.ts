import { EXPLORATION_V8_FLAGS } from '@secondary-mmu/testkit';
import { defineConfig } from 'vitest/config';

// The conformance suite explores thousands of schedules, each on a machine of its own:
// the test processes get the V8 heap settings the SDK's explorer wants (see
// tuneHeapForExploration in @secondary-mmu/testkit).
export default defineConfig({ test: { execArgv: [...EXPLORATION_V8_FLAGS] } });
