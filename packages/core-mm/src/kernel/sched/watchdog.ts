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
const realClearImmediate = globalThis.clearImmediate.bind(globalThis);
const realClearTimeout = globalThis.clearTimeout.bind(globalThis);

/**
 * Call `check` at the next macrotask (at most twice), whatever timers a test has faked.
 * Returns the disarm: a run that settled must cancel both, or thousands of runs awaited
 * back to back in microtasks (an exploration) keep every machine alive until the loop
 * ends — the callbacks hold their scheduler.
 */
export function armWatchdog(check: () => void): () => void {
  armed.count++;
  let live = true;
  const disarmed = (): void => {
    if (!live) return;
    live = false;
    armed.count--;
  };
  const fire = (): void => {
    disarmed();
    check();
  };
  const timeout = realSetTimeout(fire, 0);
  const immediate = realSetImmediate(fire);
  return () => {
    disarmed();
    realClearTimeout(timeout);
    realClearImmediate(immediate);
  };
}

/**
 * Watchdogs armed and neither fired nor disarmed: process-wide, like the timers
 * themselves, so one count for every copy of core-mm (ESM and CommonJS) in the
 * process — a `Symbol.for` slot on `globalThis`, not a module variable per copy.
 */
const ARMED = Symbol.for('@secondary-mmu/core-mm:armed-watchdogs');
const armed = ((globalThis as { [ARMED]?: { count: number } })[ARMED] ??= { count: 0 });

/** @internal How many watchdogs are armed now: 0 between runs, however many ran. */
export function armedWatchdogs(): number {
  return armed.count;
}
