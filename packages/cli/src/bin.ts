#!/usr/bin/env node
/*
 * The `secondary-mmu` executable: the program on the process's arguments and streams.
 * An error that is not bad input is a bug of the CLI or the model: its stack, exit 1.
 */
import { tuneHeapForExploration } from '@secondary-mmu/testkit';
import { main } from './program.js';
import { processIo } from './output/io.js';

// A program of explorations: a machine per schedule (see tuneHeapForExploration).
tuneHeapForExploration();

// A reader that stops early (`| head`) closes the pipe: stop quietly, as Unix tools do.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

main(process.argv.slice(2), processIo()).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`secondary-mmu: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
