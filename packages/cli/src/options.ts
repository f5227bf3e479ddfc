import { CliError } from './cli-error.js';

/** A whole number option: `name`'s value checked, at least `min` (a `bad-option` error otherwise). Kernel counterpart: none. */
export function checkCount(name: string, value: string | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) throw new CliError('bad-option', value, `${name} must be a whole number of at least ${min}, got "${value}"`);
  return n;
}

/** `--seed` (default 1): a whole number from 0. Kernel counterpart: none. */
export function checkSeed(value: string | undefined): number {
  return checkCount('--seed', value, 1, 0);
}

/** `--strategy`: one of `allowed`, or undefined when not given. Kernel counterpart: none. */
export function checkStrategy<S extends string>(value: string | undefined, allowed: readonly S[]): S | undefined {
  if (value === undefined) return undefined;
  if (!allowed.includes(value as S)) throw new CliError('bad-option', value, `--strategy must be one of ${allowed.join(', ')}, got "${value}"`);
  return value as S;
}

/** `--shard k/n` (1-based k, as CI matrices count) as the explorer's 0-based `{ index, count }`. Kernel counterpart: none. */
export function checkShard(value: string | undefined): { index: number; count: number } | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(value.trim());
  const k = m === null ? NaN : Number(m[1]);
  const n = m === null ? NaN : Number(m[2]);
  if (!(k >= 1 && n >= 1 && k <= n)) throw new CliError('bad-option', value, `--shard must be k/n with 1 <= k <= n (e.g. 2/4), got "${value}"`);
  return { index: k - 1, count: n };
}
