import { brandClass, ERAS, SmmuError, type Era } from '@secondary-mmu/core-mm';
import type { DriverFactory } from './contract.js';
import { show } from './show.js';

/**
 * Which rule an argument of a testkit function broke: a stable string to match on.
 * Kernel counterpart: none.
 *
 * - `not-an-object`: the options (or another argument that must be an object) are not one;
 * - `not-a-driver`: the driver is not a `DriverFactory` (`name`, `capabilities`, `eras`, `attach`);
 * - `bad-eras`, `no-eras`, `unknown-era`, `duplicate-era`: an era list that is not a
 *   list, is empty, names something that is not an era, or names one twice; an
 *   `era` option that is not an era is `unknown-era` too;
 * - `bad-seeds`, `no-seeds`, `bad-seed`: a seed list that is not a list, is empty, or a
 *   seed that is not a safe integer;
 * - `unknown-strategy`: a strategy other than `fifo`, `random`, `pct`;
 * - `bad-replay`: a replay token that is not a string (a string that is not a token is
 *   core-mm's `ReplayTokenError`);
 * - `bad-scenarios`, `unknown-scenario`: a scenario list that is not a list, or a name
 *   that is not a conformance scenario;
 * - `bad-count`: a count that is not a whole number in range (`explore`'s `schedules`
 *   and `depth`, at least 1; its `shrinkBudget`, at least 0);
 * - `bad-latency`: a device latency that is not `{ fault?, access? }` of non-negative
 *   integer ns, or a latency list that is not a non-empty list of them;
 * - `bad-driver-reference`: a driver reference (`{ module, export }`) that is malformed,
 *   whose module does not load, or whose export is not a `DriverFactory`; or a driver
 *   object where only a reference can go (to worker threads);
 * - `bad-shard`: a shard that is not `{ index, count }` with `0 <= index < count`;
 * - `bad-world`: a world source that is not `auto`, `build` or `copy`.
 */
export type ArgumentProblem =
  | 'not-an-object'
  | 'not-a-driver'
  | 'bad-eras'
  | 'no-eras'
  | 'unknown-era'
  | 'duplicate-era'
  | 'bad-seeds'
  | 'no-seeds'
  | 'bad-seed'
  | 'unknown-strategy'
  | 'bad-replay'
  | 'not-a-boolean'
  | 'bad-scenarios'
  | 'unknown-scenario'
  | 'bad-count'
  | 'bad-latency'
  | 'bad-driver-reference'
  | 'bad-shard'
  | 'bad-world';

/**
 * An argument a testkit function (`checkDriver`, `planConformance`, `runScenario`, …)
 * refused: an `SmmuError` with code `EINVAL` (match with `isSmmuError(e, 'EINVAL')`),
 * naming the function, the argument and the offending value. Thrown before anything
 * runs or is built. Kernel counterpart: none.
 */
export class TestkitArgumentError extends SmmuError {
  /** The rule broken. */
  readonly problem: ArgumentProblem;
  /** The argument, e.g. `options.eras[1]` or `driver`. */
  readonly path: string;

  constructor(fn: string, problem: ArgumentProblem, path: string, message: string) {
    super('EINVAL', `${fn}: ${path}: ${message}`);
    this.problem = problem;
    this.path = path;
  }
}
brandClass(TestkitArgumentError, '@secondary-mmu/testkit:TestkitArgumentError');

/** A failure reporter bound to one function's name. */
type Fail = (problem: ArgumentProblem, path: string, message: string) => never;

/** The reporter for `fn`. */
export function failFor(fn: string): Fail {
  return (problem, path, message) => {
    throw new TestkitArgumentError(fn, problem, path, message);
  };
}

/** `value` as an options object: undefined is none; anything else but an object is refused. */
export function optionsObject<T extends object>(fn: string, value: T | undefined, path = 'options'): Partial<T> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) failFor(fn)('not-an-object', path, `must be an object, got ${show(value)}`);
  return value;
}

/**
 * `value` checked as a `DriverFactory`: an object with a `name` string, `capabilities`
 * object, `eras` list of eras and an `attach` function (what `defineDriver` returns;
 * a hand-made factory needs the same).
 */
export function checkFactory(fn: string, value: unknown, path = 'driver'): DriverFactory {
  const fail = failFor(fn);
  const expected = 'a DriverFactory (name, capabilities, eras, attach: see defineDriver)';
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return fail('not-a-driver', path, `expected ${expected}, got ${show(value)}`);
  const d = value as Record<string, unknown>;
  if (typeof d.name !== 'string' || d.name === '') fail('not-a-driver', `${path}.name`, `expected ${expected}: name must be a non-empty string, got ${show(d.name)}`);
  if (typeof d.attach !== 'function') fail('not-a-driver', `${path}.attach`, `expected ${expected}: attach must be a function, got ${show(d.attach)}`);
  if (d.capabilities === null || typeof d.capabilities !== 'object') fail('not-a-driver', `${path}.capabilities`, `expected ${expected}: capabilities must be an object, got ${show(d.capabilities)}`);
  if (!Array.isArray(d.eras)) fail('not-a-driver', `${path}.eras`, `expected ${expected}: eras must be a list of eras, got ${show(d.eras)}`);
  (d.eras as unknown[]).forEach((era, i) => {
    if (!ERAS.includes(era as Era)) fail('not-a-driver', `${path}.eras[${i}]`, `${show(era)} is not an era (expected ${ERAS.join(', ')})`);
  });
  return value as DriverFactory;
}

/** An era option: one of `ERAS`. */
export function checkEra(fn: string, value: unknown, path: string): Era {
  if (!ERAS.includes(value as Era)) failFor(fn)('unknown-era', path, `${show(value)} is not an era (expected ${ERAS.join(', ')})`);
  return value as Era;
}

/** An era list: a non-empty list of distinct eras. */
export function checkEras(fn: string, value: unknown, path: string): readonly Era[] {
  const fail = failFor(fn);
  if (!Array.isArray(value)) return fail('bad-eras', path, `must be a list of eras, got ${show(value)}`);
  if (value.length === 0) fail('no-eras', path, `is empty: leave it out for every era (${ERAS.join(', ')})`);
  value.forEach((era: unknown, i) => {
    checkEra(fn, era, `${path}[${i}]`);
    if (value.indexOf(era) !== i) fail('duplicate-era', `${path}[${i}]`, `${show(era)} is listed twice`);
  });
  return value as Era[];
}

/** A seed: a safe integer. */
export function checkSeed(fn: string, value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) failFor(fn)('bad-seed', path, `must be an integer, got ${show(value)}`);
  return value as number;
}

/** A seed list: a non-empty list of safe integers. */
export function checkSeeds(fn: string, value: unknown, path: string): readonly number[] {
  const fail = failFor(fn);
  if (!Array.isArray(value)) return fail('bad-seeds', path, `must be a list of integers, got ${show(value)}`);
  if (value.length === 0) fail('no-seeds', path, 'is empty: give at least one seed, or leave it out for the default ones');
  value.forEach((seed: unknown, i) => checkSeed(fn, seed, `${path}[${i}]`));
  return value as number[];
}

const STRATEGIES = ['fifo', 'random', 'pct'] as const;

/** A strategy option: `fifo`, `random` or `pct` (or left out). */
export function checkStrategy(fn: string, value: unknown, path: string): 'fifo' | 'random' | 'pct' | undefined {
  if (value === undefined) return undefined;
  if (!(STRATEGIES as readonly unknown[]).includes(value)) failFor(fn)('unknown-strategy', path, `${show(value)} is not a strategy (expected ${STRATEGIES.join(', ')})`);
  return value as 'fifo' | 'random' | 'pct';
}

/** `value` as a whole number of at least `min` (a count such as `schedules`). */
export function checkCount(fn: string, value: unknown, path: string, min: number): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= min) return value;
  return failFor(fn)('bad-count', path, `must be a whole number of at least ${min}, got ${show(value)}`);
}
