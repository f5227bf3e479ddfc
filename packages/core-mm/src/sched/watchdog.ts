/**
 * The real `setImmediate`, captured when this module loads — before a test
 * framework's fake timers can replace the global one. A run arms it once: a run
 * that stays inside the simulation settles in microtasks and never reaches a
 * macrotask, so if the callback finds the run still going, some task awaited
 * something outside (a real timer, real I/O).
 */
const realSetImmediate: (callback: () => void) => void =
  typeof globalThis.setImmediate === 'function'
    ? globalThis.setImmediate.bind(globalThis)
    : (callback) => void setTimeout(callback, 0);

/** Call `check` at the next macrotask, whatever timers a test has faked. */
export function armWatchdog(check: () => void): void {
  realSetImmediate(check);
}
