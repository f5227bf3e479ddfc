import { isSmmuError, MAP, PROT } from '@secondary-mmu/core-mm';

/** Helpers of every model-driving test here (re-exported by the driver-specific helper files). */
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
