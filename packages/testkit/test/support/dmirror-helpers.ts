import { isSmmuError, Machine, MAP, PROT, type Task } from '@secondary-mmu/core-mm';
import { DmirrorInstance, type DmirrorOptions } from '../../src/index.js';

/** Shared helpers of the dmirror tests (hmm-tests.c's fixture, in the model). */
export const P = 4096;
export const RW = PROT.read | PROT.write;
export const ANON = MAP.private | MAP.anonymous;

/** Await a `T | Promise<T>`. */
export async function v<T>(x: T | Promise<T>): Promise<T> {
  return x instanceof Promise ? await x : x;
}

/** The model error code a call failed with, or 'ok'. */
export async function code(f: () => unknown): Promise<string> {
  try {
    await f();
  } catch (e) {
    if (isSmmuError(e)) return e.code;
    throw e;
  }
  return 'ok';
}

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
