import { isSmmuError, Machine, MAP, PAGE_SIZE, PROT, type Era, type Process, type Task } from '@secondary-mmu/core-mm';
import { gru, type GruDriverFactory, type GruInstance } from '../../src/index.js';

/** Helpers of the GRU's model-driving tests. */
export const P = PAGE_SIZE;
export const RW = PROT.read | PROT.write;
export const ANON = MAP.private | MAP.anonymous;

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

/** A machine of `era` with process `app`, its CPU task `cpu0`, and a device engine task. */
export interface Rig {
  m: Machine;
  proc: Process;
  t: Task;
  dev: Task;
}

export function rig(era: Era, options: { frames?: number; seed?: number; random?: boolean } = {}): Rig {
  const m = new Machine({
    era,
    memory: { frames: options.frames ?? 128 },
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.random === true ? { schedule: { strategy: 'random' as const } } : {}),
  });
  const proc = m.mem.createProcess('app');
  return { m, proc, t: proc.task('cpu0'), dev: m.task('engine') };
}

/** Attach `driver` (default `gru`) to the rig's mm. */
export function attach(r: Rig, driver: GruDriverFactory = gru): Promise<GruInstance> {
  return driver.attach(r.t, r.m, r.t.mm!);
}

/** `pages` anonymous RW pages, page i written with 100 + i by the CPU; the address. */
export async function anonPages(r: Rig, pages = 1): Promise<number> {
  const a = await r.m.mem.mmap(r.t, { length: pages * P, prot: RW, flags: ANON });
  for (let i = 0; i < pages; i++) await r.m.mem.write(r.t, a + i * P, 100 + i);
  return a;
}
