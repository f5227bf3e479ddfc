import { MemoryState, verify } from '@secondary-mmu/core-mm';
import { verifyAfterEach } from '../../../../test-support/verify-after-each.js';

// The vitest setup file: this package's tests build machines from core-mm's dist.
verifyAfterEach(MemoryState, verify);
