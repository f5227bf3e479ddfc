import { Machine, type Task } from '@secondary-mmu/core-mm';
import { DmirrorInstance, type DmirrorOptions } from '../../src/index.js';
import { ANON, P, RW, v } from './model-helpers.js';

/** Shared helpers of the dmirror tests (hmm-tests.c's fixture, in the model). */
export { ANON, code, P, RW, v } from './model-helpers.js';

/** A `v6` machine with one process `app` and its task `cpu0`. */
export function setup(frames = 256, options: { seed?: number; random?: boolean } = {}): { m: Machine; t: Task } {
  const m = new Machine({
    era: 'v6',
    memory: { frames },
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.random === true ? { schedule: { strategy: 'random' as const } } : {}),
  });
  return { m, t: m.mem.createProcess('app').task('cpu0') };
}

/** hmm-tests' `hmm_open`: a dmirror on the task's mm. */
export function open(m: Machine, t: Task, options: DmirrorOptions = {}): Promise<DmirrorInstance> {
  return v(DmirrorInstance.open(t, m, t.mm!, options));
}

/** An anonymous private mapping of `pages` pages with `prot`. */
export function anon(m: Machine, t: Task, pages: number, prot = RW, flags = ANON): Promise<number> {
  return v(m.mem.mmap(t, { length: pages * P, prot, flags }));
}
