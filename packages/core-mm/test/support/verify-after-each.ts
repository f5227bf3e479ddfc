import { verifyAfterEach } from '../../../../test-support/verify-after-each.js';
import { MemoryState, verify } from '../../src/index.js';

// The vitest setup file: this package's tests build machines from its own src.
verifyAfterEach(MemoryState, verify);
