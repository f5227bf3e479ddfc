/**
 * Sequencing for `T | Promise<T>` code: each step runs synchronously when the step
 * before did not suspend, so the common path never builds a Promise.
 */

/** `f(v)` now if `v` is a value, after it settles if it is a Promise. */
export function andThen<T, R>(v: T | Promise<T>, f: (value: T) => R | Promise<R>): R | Promise<R> {
  return v instanceof Promise ? v.then(f) : f(v);
}

/**
 * Run `body`, then `cleanup` whether it returned, threw or rejected — `try/finally`
 * for code that may suspend. A cleanup that suspends is waited for before the
 * result (or the error) is passed on.
 */
export function ensure<T>(body: () => T | Promise<T>, cleanup: () => void | Promise<void>): T | Promise<T> {
  let result: T | Promise<T>;
  try {
    result = body();
  } catch (error) {
    const c = cleanup();
    if (c instanceof Promise) return c.then(() => Promise.reject(error as Error));
    throw error;
  }
  if (result instanceof Promise) {
    return result.then(
      (value) => andThen(cleanup(), () => value),
      (error: unknown) => andThen(cleanup(), () => Promise.reject(error as Error)),
    );
  }
  const c = cleanup();
  return c instanceof Promise ? c.then(() => result) : result;
}
