/**
 * The long run of the model-based test (test/model.test.ts): random sequences of
 * mmap/munmap/mremap/mprotect/fork/read/write/exit in every era against the plain reference
 * model, then `verify()`. Prints one JSON line with the outcome.
 *
 *   npm run model-check -w @secondary-mmu/core-mm -- [runs] [seed]
 */
import fc from 'fast-check';
import { ERAS } from '../src/index.js';
import { verify } from '../src/mm/verify.js';
import { baseCommands, runSequence } from '../test/support/mm-model.js';

const runs = Number(process.argv[2] ?? 5000);
const seed = Number(process.argv[3] ?? 0x5eed2026);
const started = performance.now();
let sequences = 0;
let commands = 0;
const result = await fc.check(
  fc.asyncProperty(fc.constantFrom(...ERAS), fc.commands(baseCommands(), { maxCommands: 120, size: 'max' }), async (era, cmds) => {
    sequences++;
    const m = await runSequence(era, cmds);
    commands += [...cmds].length;
    const findings = verify(m, { record: false });
    if (findings.length > 0) throw new Error(`verify: ${findings.map((v) => v.message).join('; ')}`);
  }),
  { numRuns: runs, seed },
);
console.log(
  JSON.stringify({
    name: 'model-check',
    runs,
    seed,
    sequences,
    commands,
    failed: result.failed,
    counterexample: result.failed ? fc.stringify(result.counterexample) : null,
    error: result.failed ? String(result.errorInstance) : null,
    seconds: Math.round((performance.now() - started) / 100) / 10,
  }),
);
process.exitCode = result.failed ? 1 : 0;
