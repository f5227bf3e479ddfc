/**
 * Run `fn` over `items` in order; synchronous while no call suspends, so a list walk
 * with no sleeping callback never builds a Promise.
 */
export function each<T>(items: readonly T[], fn: (item: T) => void | Promise<void>, from = 0): void | Promise<void> {
  for (let i = from; i < items.length; i++) {
    const r = fn(items[i]!);
    if (r instanceof Promise) {
      const next = i + 1;
      return r.then(() => each(items, fn, next));
    }
  }
}
