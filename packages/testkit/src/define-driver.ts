import { andThen, brandClass, ERAS, SmmuError, type Era, type Machine, type Mm, type Task } from '@secondary-mmu/core-mm';
import { NO_CAPABILITIES, type DriverCapabilities } from './capabilities.js';
import { checkedInstance } from './capability-checks.js';
import type { DriverFactory, DriverInstance } from './contract.js';
import { show } from './show.js';

/**
 * What {@link defineDriver} takes: a `DriverFactory` whose capabilities and eras may be
 * left out. Kernel counterpart: none.
 */
export interface DriverSpec {
  /** The driver's name in reports and test titles: non-empty, no control characters, no surrounding whitespace. */
  readonly name: string;
  /** The capabilities it declares; each one left out is false (`NO_CAPABILITIES`). */
  readonly capabilities?: Partial<DriverCapabilities>;
  /** The eras it is written for, each at most once; default: every era (`ERAS` of core-mm). */
  readonly eras?: readonly Era[];
  /** Attach to `mm` on `machine`, from `task`: make an instance and register its notifier. */
  readonly attach: (task: Task, machine: Machine, mm: Mm) => DriverInstance | Promise<DriverInstance>;
}

/** Which rule a {@link DriverSpec} broke: a stable string to match on. Kernel counterpart: none. */
export type DriverSpecProblem =
  | 'not-an-object'
  | 'unknown-field'
  | 'bad-name'
  | 'bad-attach'
  | 'bad-capabilities'
  | 'unknown-capability'
  | 'bad-capability'
  | 'bad-eras'
  | 'no-eras'
  | 'unknown-era'
  | 'duplicate-era'
  /** Thrown by `attach`: the instance's device contradicts a capability (`sharesCpuPageTable` and its driver class). */
  | 'capability-mismatch';

/**
 * A {@link DriverSpec} that {@link defineDriver} refused: an `SmmuError` with code
 * `EINVAL` (match with `isSmmuError(e, 'EINVAL')`), naming the field and the offending
 * value. Thrown for the first problem found. Kernel counterpart: none (the kernel finds
 * a malformed ops table at compile time, or not at all).
 */
export class DriverSpecError extends SmmuError {
  /** The rule broken. */
  readonly problem: DriverSpecProblem;
  /** The field, e.g. `eras[1]` or `capabilities.mayBlock` (empty for the spec itself). */
  readonly path: string;

  constructor(driver: string | undefined, problem: DriverSpecProblem, path: string, message: string) {
    super('EINVAL', `defineDriver${driver === undefined ? '' : ` "${driver}"`}: ${path === '' ? '' : `${path}: `}${message}`);
    this.problem = problem;
    this.path = path;
  }
}
brandClass(DriverSpecError, '@secondary-mmu/testkit:DriverSpecError');

const SPEC_FIELDS: readonly string[] = ['name', 'capabilities', 'eras', 'attach'];
const CAPABILITY_KEYS: readonly string[] = Object.keys(NO_CAPABILITIES);

/**
 * Make a `DriverFactory` from `spec`, filling the defaults — capabilities not declared
 * are false, no eras means every era — and checking it, so a mistake is reported here,
 * naming the field and the value, rather than as a puzzling run later. The result and
 * its `capabilities` and `eras` are frozen copies. Throws {@link DriverSpecError}
 * (`EINVAL`).
 *
 * Its `attach` calls `spec.attach` and holds the instance to the capabilities where
 * they mean something: `sharesCpuPageTable` must match the device's driver class
 * (`'shares-cpu-page-table'` exactly when declared) — otherwise the instance is detached
 * and `attach` throws a `DriverSpecError` with problem `capability-mismatch` naming
 * both; and a driver that does not declare `mayBlock` has every blockable range
 * callback that blocked reported as an `undeclared-may-block` violation
 * (`watchUndeclaredBlocking`).
 *
 * Kernel counterpart: none. The nearest is a driver's `static const` ops table, whose
 * unset members mean "not implemented"; the difference is that this one is checked.
 */
export function defineDriver(spec: DriverSpec): DriverFactory {
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) throw new DriverSpecError(undefined, 'not-an-object', '', `the spec must be an object, got ${show(spec)}`);
  const { name } = spec as { name?: unknown };
  if (typeof name !== 'string' || !/^[^\s\p{Cc}](?:[^\p{Cc}]*[^\s\p{Cc}])?$/u.test(name)) {
    throw new DriverSpecError(undefined, 'bad-name', 'name', `${show(name)} is not a name (a non-empty string, no control characters, no surrounding whitespace)`);
  }
  const fail = (problem: DriverSpecProblem, path: string, message: string): never => {
    throw new DriverSpecError(name, problem, path, message);
  };
  for (const key of Object.keys(spec)) if (!SPEC_FIELDS.includes(key)) fail('unknown-field', key, `unknown field ${show(key)} (expected ${SPEC_FIELDS.join(', ')})`);
  if (typeof spec.attach !== 'function') fail('bad-attach', 'attach', `must be a function, got ${show(spec.attach)}`);
  const capabilities = capabilitiesOf(spec.capabilities, fail);
  const eras = erasOf(spec.eras, fail);
  const attach = spec.attach;
  const mismatch = (reason: string): Error => new DriverSpecError(name, 'capability-mismatch', 'capabilities.sharesCpuPageTable', reason);
  return Object.freeze({
    name,
    capabilities,
    eras,
    attach: (task: Task, machine: Machine, mm: Mm) => andThen(attach(task, machine, mm), (instance) => checkedInstance(task, machine, name, capabilities, instance, mismatch)),
  });
}

type Fail = (problem: DriverSpecProblem, path: string, message: string) => never;

function capabilitiesOf(declared: unknown, fail: Fail): DriverCapabilities {
  if (declared === undefined) return Object.freeze({ ...NO_CAPABILITIES });
  if (declared === null || typeof declared !== 'object' || Array.isArray(declared)) return fail('bad-capabilities', 'capabilities', `must be an object of booleans, got ${show(declared)}`);
  for (const [key, value] of Object.entries(declared)) {
    if (!CAPABILITY_KEYS.includes(key)) fail('unknown-capability', `capabilities.${key}`, `unknown capability ${show(key)} (expected ${CAPABILITY_KEYS.join(', ')})`);
    if (typeof value !== 'boolean') fail('bad-capability', `capabilities.${key}`, `must be true or false, got ${show(value)}`);
  }
  return Object.freeze({ ...NO_CAPABILITIES, ...(declared as Partial<DriverCapabilities>) });
}

function erasOf(declared: unknown, fail: Fail): readonly Era[] {
  if (declared === undefined) return Object.freeze([...ERAS]);
  if (!Array.isArray(declared)) return fail('bad-eras', 'eras', `must be an array of eras, got ${show(declared)}`);
  if (declared.length === 0) fail('no-eras', 'eras', `is empty: leave it out for every era (${ERAS.join(', ')})`);
  for (let i = 0; i < declared.length; i++) {
    const era: unknown = declared[i];
    if (!ERAS.includes(era as Era)) fail('unknown-era', `eras[${i}]`, `${show(era)} is not an era (expected ${ERAS.join(', ')})`);
    if (declared.indexOf(era) !== i) fail('duplicate-era', `eras[${i}]`, `${show(era)} is listed twice`);
  }
  return Object.freeze([...(declared as Era[])]);
}
