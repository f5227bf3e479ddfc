import fc from 'fast-check';
import { describe, it } from 'vitest';
import { ERAS } from '../src/index.js';
import { baseCommands, initial } from './support/mm-model.js';

// Random sequences of mmap/munmap/read/write/exit (and mprotect/fork) against a plain
// reference model of each page's content and permission: zero divergence allowed.
// `npm run model-check -w @secondary-mmu/core-mm` runs the same with many more runs.
describe('model-based: the process face against a reference model', () => {
  it('agrees on content and permission over 200 random sequences (all eras)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ERAS), fc.commands(baseCommands(), { maxCommands: 60 }), async (era, cmds) => {
        await fc.asyncModelRun(initial(era), cmds);
      }),
      { numRuns: 200, seed: 0x5eed2026 },
    );
  }, 60_000);
});
