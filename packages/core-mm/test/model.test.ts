import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ERAS } from '../src/index.js';
import { verify } from '../src/mm/verify.js';
import { baseCommands, runSequence } from './support/mm-model.js';

// Random sequences of mmap/munmap/mremap/mprotect/fork/read/write/exit against a plain
// reference model of each page's content and permission, in every era: zero
// divergence allowed, and verify() quiet at the end of each. The long run is
// `npm run model-check -w @secondary-mmu/core-mm -- <runs>` (docs/benchmarks.md).
describe('model-based: the process face against a reference model', () => {
  it('agrees on content and permission over 200 random sequences (all eras)', async () => {
    let commands = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ERAS), fc.commands(baseCommands(), { maxCommands: 60, size: 'max' }), async (era, cmds) => {
        const m = await runSequence(era, cmds);
        commands += [...cmds].length;
        expect(verify(m, { record: false })).toEqual([]);
      }),
      { numRuns: 200, seed: 0x5eed2026 },
    );
    expect(commands).toBeGreaterThan(200 * 10);
  }, 120_000);
});
