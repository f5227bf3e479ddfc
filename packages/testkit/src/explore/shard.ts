import { failFor } from '../arguments.js';
import { show } from '../show.js';

/**
 * One shard of an exploration split over `count` processes (a CI matrix): shard `index`
 * runs the schedules i with i ≡ index (mod count). Kernel counterpart: none (model
 * machinery).
 */
export interface ExploreShard {
  /** This shard, `0 <= index < count`. */
  readonly index: number;
  /** How many shards the exploration is split into (at least 1). */
  readonly count: number;
}

/** `value` checked as an {@link ExploreShard}; anything else throws `bad-shard` naming it. */
export function checkShard(fn: string, value: unknown, where = 'options.shard'): ExploreShard {
  const fail = failFor(fn);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return fail('bad-shard', where, `must be { index, count } with 0 <= index < count, got ${show(value)}`);
  const { index, count } = value as { index?: unknown; count?: unknown };
  if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 1) fail('bad-shard', `${where}.count`, `must be a whole number of at least 1, got ${show(count)}`);
  if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0 || index >= (count as number)) fail('bad-shard', `${where}.index`, `must be a whole number in 0..${(count as number) - 1}, got ${show(index)}`);
  return { index: index as number, count: count as number };
}

/** The schedule indices of `0..schedules-1` that `shard` runs, ascending. */
export function shardIndices(shard: ExploreShard, schedules: number): number[] {
  const out: number[] = [];
  for (let i = shard.index; i < schedules; i += shard.count) out.push(i);
  return out;
}
