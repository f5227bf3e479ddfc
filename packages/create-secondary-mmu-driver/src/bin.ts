#!/usr/bin/env node
/*
 * The `create-secondary-mmu-driver` executable (`npm create secondary-mmu-driver`):
 * prompts on a terminal, flags otherwise. Anything but bad input is a bug: its stack, exit 1.
 */
import { main } from './program.js';
import { clackPrompter } from './prompter.js';

const interactive = process.stdin.isTTY === true && process.stdout.isTTY === true;

main(process.argv.slice(2), {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  ...(interactive ? { prompter: clackPrompter() } : {}),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`create-secondary-mmu-driver: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
