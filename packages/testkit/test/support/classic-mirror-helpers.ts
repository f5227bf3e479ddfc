import { Machine, walkPageTable, type Era, type Process, type Task } from '@secondary-mmu/core-mm';
import { NotifierTrace, type NotifierCallback } from '@secondary-mmu/mmu-notifier';
import { classicMirror, type ClassicMirrorInstance } from '../../src/index.js';
import { ANON, P, RW, v } from './model-helpers.js';

/** Shared helpers of the classic-mirror tests. */
export { ANON, code, P, RW, v } from './model-helpers.js';

/** A machine of `era` with process `app`, its task `cpu0`, a device task, and a trace. */
export interface Rig {
  m: Machine;
  proc: Process;
  t: Task;
  dev: Task;
  trace: NotifierTrace;
}

export function rig(era: Era, options: { frames?: number; seed?: number; random?: boolean } = {}): Rig {
  const m = new Machine({
    era,
    memory: { frames: options.frames ?? 128 },
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.random === true ? { schedule: { strategy: 'random' as const } } : {}),
  });
  const proc = m.mem.createProcess('app');
  const t = proc.task('cpu0');
  return { m, proc, t, dev: m.task('device'), trace: NotifierTrace.attach(m) };
}

/** Attach the classic mirror to the rig's mm. */
export async function attach(r: Rig): Promise<ClassicMirrorInstance> {
  return (await v(classicMirror.attach(r.t, r.m, r.t.mm!))) as ClassicMirrorInstance;
}

/** `pages` anonymous RW pages, page i written with 100 + i by the CPU; the address. */
export async function anonPages(r: Rig, pages = 1): Promise<number> {
  const a = await v(r.m.mem.mmap(r.t, { length: pages * P, prot: RW, flags: ANON }));
  for (let i = 0; i < pages; i++) await v(r.m.mem.write(r.t, a + i * P, 100 + i));
  return a;
}

/** The frame the CPU maps at `address` now, or -1. */
export function frameAt(t: Task, address: number): number {
  return walkPageTable(t.mm!, address)?.pfn ?? -1;
}

/** How many times the classic mirror's `callback` ran (per the trace). */
export function calls(r: Rig, callback: NotifierCallback): number {
  return r.trace.findCallbacks({ driver: 'classic-mirror', callback }).length;
}

/** The violations' messages (the oracle and every checker): `[]` when quiet. */
export function violations(m: Machine): string[] {
  return m.report.violations.map((x) => `${x.kind}: ${x.message}`);
}
