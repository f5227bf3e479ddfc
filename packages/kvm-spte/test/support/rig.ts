import { isSmmuError, Machine, MAP, PAGE_SIZE, PROT, walkPageTable, type Era, type MmuNotifierRange, type Process, type Task } from '@secondary-mmu/core-mm';
import { kvmSpteForEra, type KvmSpteFactory, type KvmSpteInstance } from '../../src/index.js';

/** Shared helpers of the kvm-spte tests. */
export const P = PAGE_SIZE;
export const RW = PROT.read | PROT.write;
export const ANON = MAP.private | MAP.anonymous;

/** A machine of `era` with process `app`, its task `cpu0`, and a vCPU task. */
export interface Rig {
  m: Machine;
  proc: Process;
  t: Task;
  vcpu: Task;
}

export function rig(era: Era, options: { frames?: number } = {}): Rig {
  const m = new Machine({ era, memory: { frames: options.frames ?? 128 } });
  const proc = m.mem.createProcess('app');
  return { m, proc, t: proc.task('cpu0'), vcpu: m.task('vcpu0') };
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

/** Attach `factory` (default the driver KVM was in the rig's era) to the rig's mm. */
export function attach(r: Rig, factory: KvmSpteFactory = kvmSpteForEra(r.m.era)): Promise<KvmSpteInstance> {
  return factory.attach(r.t, r.m, r.t.mm!);
}

/** `pages` anonymous RW pages, page i written with 100 + i by the CPU; the address. */
export async function anonPages(r: Rig, pages = 1): Promise<number> {
  const a = await r.m.mem.mmap(r.t, { length: pages * P, prot: RW, flags: ANON });
  for (let i = 0; i < pages; i++) await r.m.mem.write(r.t, a + i * P, 100 + i);
  return a;
}

/** The frame the CPU maps at `address` now, or -1. */
export function frameAt(t: Task, address: number): number {
  return walkPageTable(t.mm!, address)?.pfn ?? -1;
}

/** A range of the rig's mm for calling the VM's callbacks directly. */
export function range(r: Rig, start: number, end: number): MmuNotifierRange {
  return { mm: r.t.mm!, start, end, event: 'clear', blockable: r.m.era !== 'v2.6.27', owner: null };
}

/** The violations' messages (the oracle and every checker): `[]` when quiet. */
export function violations(m: Machine): string[] {
  return m.report.violations.map((x) => `${x.kind}: ${x.message}`);
}
