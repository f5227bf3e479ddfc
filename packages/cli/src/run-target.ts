import { ERAS, type Era, type Violation } from '@secondary-mmu/core-mm';
import type { DriverFactory, Scenario } from '@secondary-mmu/testkit';
import { CliError } from './cli-error.js';
import type { DriverEntry, DriverVariant } from './drivers/types.js';
import type { ResolvedScenario } from './scenarios/resolve.js';
import { encodeRunToken } from './token.js';

/** What one command runs: a scenario, a driver (possibly one of its variants), and the factory built from them. Kernel counterpart: none. */
export interface RunTarget {
  readonly scenario: ResolvedScenario;
  readonly driver: DriverEntry;
  readonly variant: DriverVariant | null;
  readonly factory: DriverFactory;
}

/** An `--era` value checked: one of the eras, else a `bad-era` error. Kernel counterpart: none. */
export function checkEra(value: string): Era {
  if (!ERAS.includes(value as Era)) throw new CliError('bad-era', value, `unknown era "${value}": one of ${ERAS.join(', ')}`);
  return value as Era;
}

/** The eras both the scenario and the driver are for, in order. Kernel counterpart: none. */
export function sharedEras(scenario: Scenario, factory: DriverFactory): Era[] {
  return ERAS.filter((e) => factory.eras.includes(e) && (scenario.eras === undefined || scenario.eras.includes(e)));
}

/**
 * The eras to run: `--era` when given (an `unsupported-era` error when the driver or the
 * scenario is not for it), else every era they share (a `no-shared-era` error when none).
 * Kernel counterpart: none.
 */
export function erasToRun(target: RunTarget, era: string | undefined): Era[] {
  const shared = sharedEras(target.scenario.scenario, target.factory);
  if (era !== undefined) {
    const e = checkEra(era);
    if (!shared.includes(e)) throw new CliError('unsupported-era', era, `era "${era}" is not one that both driver "${target.factory.name}" (${target.factory.eras.join(', ')}) and scenario "${target.scenario.scenario.name}" (${(target.scenario.scenario.eras ?? ERAS).join(', ')}) are for`);
    return [e];
  }
  if (shared.length === 0) throw new CliError('no-shared-era', target.factory.name, `driver "${target.factory.name}" (${target.factory.eras.join(', ')}) and scenario "${target.scenario.scenario.name}" (${(target.scenario.scenario.eras ?? ERAS).join(', ')}) share no era`);
  return shared;
}

/** The CLI token of a run of `target` in `era` with core-mm's schedule token `token`. Kernel counterpart: none. */
export function runToken(target: RunTarget, era: Era, token: string): string {
  return encodeRunToken({ scenario: target.scenario.source, driver: target.driver.path ?? target.driver.name, variant: target.variant?.name ?? null, era, token });
}

/** A violation as the JSON output gives it. Kernel counterpart: none. */
export interface ViolationJson {
  readonly kind: string;
  readonly message: string;
  readonly task: string;
  readonly site: string;
  readonly heldLocks: readonly string[];
}

/** A violation's fields for JSON. Kernel counterpart: none. */
export function violationJson(v: Violation): ViolationJson {
  return { kind: v.kind, message: v.message, task: v.task, site: v.site, heldLocks: v.heldLocks };
}

/** One line: `kind (task at site, holding locks): message`. Kernel counterpart: none. */
export function formatViolationLine(v: ViolationJson): string {
  const locks = v.heldLocks.length > 0 ? `, holding ${v.heldLocks.join(', ')}` : '';
  return `${v.kind} (${v.task} at ${v.site}${locks}): ${v.message.split('\n')[0]}`;
}
