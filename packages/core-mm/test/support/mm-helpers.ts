import { isSmmuError, Machine, MAP, PROT, type Era, type Task } from '../../src/index.js';

/** Shared helpers of the memory-model tests. */
export const RW = PROT.read | PROT.write;
export const ANON = MAP.private | MAP.anonymous;
export const P = 4096;

/** Await a `T | Promise<T>` (the model returns a Promise only when something waited). */
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
export function setup(era: Era, frames = 256): { m: Machine; t: Task } {
  const m = new Machine({ era, memory: { frames } });
  return { m, t: m.mem.createProcess('app').task('cpu0') };
}

/** The PTE mapping `address` in the task's mm: pfn (or -1 with no table) and bits. */
export function pteOf(t: Task, address: number): { pfn: number; bits: number } {
  const vpn = Math.floor(address / P);
  const table = t.mm!.pageTable.lookup(vpn);
  return table === undefined ? { pfn: -1, bits: 0 } : { pfn: table.word[vpn % 512]!, bits: table.bits[vpn % 512]! };
}

/** Run `body` with the task's mmap_lock held for reading, as a driver does around gup. */
export async function underMmapRead<T>(t: Task, body: () => T | Promise<T>): Promise<T> {
  const mm = t.mm!;
  await v(mm.mmapLock.downRead(t));
  try {
    return await v(body());
  } finally {
    await v(mm.mmapLock.upRead(t));
  }
}
