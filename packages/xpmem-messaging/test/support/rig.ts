import { isSmmuError, Machine, MAP, PROT, type Era, type Process, type RunResult, type Task } from '@secondary-mmu/core-mm';
import { xpmem, type XpmemFactory, type XpmemImporter } from '../../src/index.js';

/** Helpers of the xpmem-messaging tests. */
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

/** A machine of `era` with the owner process `app` and its setup task `cpu0`. */
export interface Rig {
  m: Machine;
  app: Process;
  t: Task;
}

export function rig(era: Era, options: { seed?: number; random?: boolean; replay?: string; frames?: number } = {}): Rig {
  const m = new Machine({
    era,
    memory: { frames: options.frames ?? 128 },
    ...(options.replay !== undefined ? { replay: options.replay } : { seed: options.seed ?? 1 }),
    ...(options.random === true ? { schedule: { strategy: 'random' as const } } : {}),
  });
  const app = m.mem.createProcess('app');
  return { m, app, t: app.task('cpu0') };
}

/** `pages` anonymous RW pages of the owner, page i written with 100 + i by its CPU; the address. */
export async function anonPages(r: Rig, pages = 1): Promise<number> {
  const a = await v(r.m.mem.mmap(r.t, { length: pages * P, prot: RW, flags: ANON }));
  for (let i = 0; i < pages; i++) await v(r.m.mem.write(r.t, a + i * P, 100 + i));
  return a;
}

/** Attach `factory` (default `xpmem`) to the owner: a new importer of a segment over all of it. */
export function attach(r: Rig, factory: XpmemFactory = xpmem): Promise<XpmemImporter> {
  return factory.attach(r.t, r.m, r.t.mm!);
}

/** Spawn `bodies` as tasks named by their keys — those named `cpu…` are the owner's threads, the rest bare — and run the machine; the result. */
export function run(r: Rig, bodies: Record<string, (task: Task) => Promise<unknown>>): Promise<RunResult> {
  for (const [name, body] of Object.entries(bodies)) {
    if (name.startsWith('cpu')) r.app.spawn(name, body);
    else r.m.sched.spawn(name, body);
  }
  return r.m.sched.run();
}
