/**
 * The real `setImmediate` and `setTimeout`, captured when this module loads — before
 * a test framework's fake timers can replace the globals. A run arms both once: a run
 * that stays inside the simulation settles in microtasks and never reaches a
 * macrotask, so if either callback finds the run still going, some task awaited
 * something outside (a real timer, real I/O). The timeout is armed before any task
 * can set one, so it fires no later than a task's `setTimeout(…, 0)`; the immediate
 * catches I/O.
 */
const realSetImmediate = globalThis.setImmediate.bind(globalThis);
const realSetTimeout = globalThis.setTimeout.bind(globalThis);

/** Call `check` at the next macrotask (at most twice), whatever timers a test has faked. */
export function armWatchdog(check: () => void): void {
  realSetTimeout(check, 0);
  realSetImmediate(check);
}
