import { verifyAfterEach } from '../../../../test-support/verify-after-each.js';
import { Memory, verify } from '../../src/index.js';

// The vitest setup file: this package's tests build machines from its own src.
verifyAfterEach(Memory, verify);
