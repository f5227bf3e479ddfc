import { isSmmuError, Machine, MAP, PROT, type Era, type Task } from '@secondary-mmu/core-mm';

/** Shared helpers of the notifier tests. */
export const RW = PROT.read | PROT.write;
export const ANON = MAP.private | MAP.anonymous;
export const P = 4096;

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

/** A machine of `era` with one process and its task `cpu0`. */
export function setup(era: Era = 'v6', frames = 256): { m: Machine; t: Task } {
  const m = new Machine({ era, memory: { frames } });
  return { m, t: m.mem.createProcess('app').task('cpu0') };
}

/** The pfn mapped at `address` in the task's mm, or -1. */
export function pfnAt(t: Task, address: number): number {
  const vpn = Math.floor(address / P);
  const table = t.mm!.pageTable.lookup(vpn);
  if (table === undefined) return -1;
  return (table.bits[vpn % 512]! & 1) !== 0 ? table.word[vpn % 512]! : -1;
}
