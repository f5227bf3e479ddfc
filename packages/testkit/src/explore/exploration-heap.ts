import { setFlagsFromString } from 'node:v8';

/**
 * The V8 flags {@link tuneHeapForExploration} sets: pass them to processes that
 * explore but cannot call it first (`NODE_OPTIONS`, vitest's `test.execArgv` with the
 * forks pool).
 * Kernel counterpart: none (model machinery).
 */
export const EXPLORATION_V8_FLAGS: readonly string[] = Object.freeze(['--no-allocation-site-pretenuring']);

let tuned = false;

/**
 * Tune this process's V8 heap for explorations: turn allocation-site pretenuring off.
 *
 * Why: a schedule builds a whole machine (tables, locks, tasks, trace) and drops it a
 * millisecond later. V8 watches which allocation sites' objects survive a young-
 * generation GC and allocates those sites' objects straight in the old generation;
 * a scavenge that lands in the middle of a schedule catches everything that schedule
 * built alive, so site after site gets "pretenured". Their objects then die in the
 * old generation, where only a full GC frees them — and until it does, every young
 * object they point to is kept alive by them and promoted too. Measured on
 * fault-vs-munmap × classic mirror × v6: 22 % of the young generation survived each
 * scavenge and a full GC ran every 600 schedules; with pretenuring off, 2.5 % survive
 * and no full GC runs in 3,000 schedules, for about 1.5× the schedules per CPU-second.
 *
 * Process-wide and one-way — V8 has no per-isolate setting, and worker threads share
 * the process's — so it is the program's choice, not the library's: the
 * `secondary-mmu` CLI and the long exploration scripts call it first thing; in vitest,
 * a setup file calls it (`test.execArgv` with {@link EXPLORATION_V8_FLAGS} works with
 * the forks pool only: worker threads refuse V8 flags in their argv). Results do not
 * depend on it (the model has no clock of its own to read), only the speed does.
 * Calling it again does nothing. Kernel counterpart: none (model machinery).
 */
export function tuneHeapForExploration(): void {
  if (tuned) return;
  tuned = true;
  for (const flag of EXPLORATION_V8_FLAGS) setFlagsFromString(flag);
}
