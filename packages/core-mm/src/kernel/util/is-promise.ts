/**
 * True when a `T | Promise<T>` result is a real Promise.
 *
 * Hot paths return `T | Promise<T>` and callers branch on this helper so that a
 * call which did not suspend costs a plain function call, not an `await` (see
 * docs/concepts.md). Only native Promises are made by
 * the model, so `instanceof` is exact and cheaper than a thenable probe.
 */
export function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return value instanceof Promise;
}

/**
 * A Promise that never settles: what a task of an aborted run waits on forever. A
 * fresh one each time, so a frozen task's continuation is garbage once its run is
 * dropped (one shared Promise would keep every aborted continuation alive).
 */
export function never(): Promise<never> {
  return new Promise<never>(() => undefined);
}
