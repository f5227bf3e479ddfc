import { decodeReplayToken, encodeReplayToken, type Era, type Machine, type Task } from '@secondary-mmu/core-mm';
import type { DriverFactory } from '../contract.js';
import type { DeviceLatency } from '../scenario/device-latency.js';
import { runScenario, type ScenarioResult } from '../scenario/run.js';
import type { Scenario } from '../scenario/schema.js';

/** A plan entry meaning "the default choice": stay with the current task (else the first queued). */
export const DEFAULT_CHOICE = -1;

/** One scheduling decision (a point with more than one runnable task) of a guided run. */
export interface Decision {
  /** Spawn index of the task chosen. */
  readonly chosen: number;
  /** Spawn index of the current task when it was still runnable, else -1 (it blocked or ended). */
  readonly current: number;
  /** Whether the choice was the default (the first runnable task: the current one when runnable). */
  readonly isDefault: boolean;
}

/** A guided run: the runner's result and the decisions it took. */
export interface GuidedRun {
  readonly result: ScenarioResult;
  readonly decisions: readonly Decision[];
  /** False when the guide could not be installed (the scenario attached no driver): the result is then a plain replay. */
  readonly guided: boolean;
}

/** Decisions that switched away from a still-runnable current task. */
export function preemptionsOf(decisions: readonly Decision[]): number {
  return decisions.filter((d) => d.current >= 0 && d.chosen !== d.current).length;
}

/** Decisions up to and including the last non-default one. */
export function prefixOf(decisions: readonly Decision[]): number {
  for (let i = decisions.length - 1; i >= 0; i--) if (!decisions[i]!.isDefault) return i + 1;
  return 0;
}

/** Positions of the non-default decisions: the preemptions and the picks of a queued task other than the first. */
export function nonDefaultOf(decisions: readonly Decision[]): number[] {
  return decisions.flatMap((d, i) => (d.isDefault ? [] : [i]));
}

/**
 * The plan that names only the non-default decisions at `keep` (default: all of them),
 * each with its chosen task, and {@link DEFAULT_CHOICE} everywhere else. With every
 * non-default decision kept it reproduces the run exactly (by induction: each decision
 * meets the same runnable tasks and takes the same choice). A run of any such plan has
 * its non-default decisions only where the plan names a task.
 */
export function planOf(decisions: readonly Decision[], keep: readonly number[] = nonDefaultOf(decisions)): number[] {
  const plan = new Array<number>(keep.length === 0 ? 0 : Math.max(...keep) + 1).fill(DEFAULT_CHOICE);
  for (const i of keep) plan[i] = decisions[i]!.chosen;
  return plan;
}

/** The chosen spawn indices of a token's recorded choices. */
export function plannedChoices(token: string): number[] {
  const pairs = decodeReplayToken(token).choices;
  const out: number[] = [];
  for (let k = 0; k < pairs.length; k += 2) out.push(pairs[k]!);
  return out;
}

/**
 * Run `scenario` once more on `token`'s seed, strategy record and fingerprint, but let
 * `plan` steer instead of the token's choices: at decision i the task `plan[i]` runs when
 * it is runnable, otherwise (or past the plan, or for {@link DEFAULT_CHOICE}) the default
 * choice does. The run never diverges, and its result's token records the choices
 * actually taken, so it replays exactly with the plain runner.
 *
 * The guide is installed from a wrapper around `driver` (same name, so the same
 * fingerprint) when the first driver instance attaches — before the scheduled run starts
 * — with `machine.sched.steer` on a machine made from the token without its choices.
 */
export async function runGuided(scenario: Scenario, driver: DriverFactory, era: Era, token: string, plan: readonly number[], deviceLatency?: DeviceLatency): Promise<GuidedRun> {
  const base = encodeReplayToken({ ...decodeReplayToken(token), choices: [] });
  const decisions: Decision[] = [];
  let installed: Machine | null = null;
  const steer = (runnable: readonly Task[], current: Task | null): Task => {
    const first = runnable[0]!;
    if (runnable.length === 1) return first;
    const wanted = plan[decisions.length] ?? DEFAULT_CHOICE;
    const chosen = (wanted === DEFAULT_CHOICE ? undefined : runnable.find((t) => t.spawnIndex === wanted)) ?? first;
    decisions.push({ chosen: chosen.spawnIndex, current: current === null ? -1 : current.spawnIndex, isDefault: chosen === first });
    return chosen;
  };
  const wrapper: DriverFactory = {
    name: driver.name,
    capabilities: driver.capabilities,
    eras: driver.eras,
    attach(task, machine, mm) {
      if (installed === null) {
        installed = machine;
        machine.sched.steer(steer);
      }
      return driver.attach(task, machine, mm);
    },
  };
  const result = await runScenario(scenario, wrapper, { era, replay: base, ...(deviceLatency === undefined ? {} : { deviceLatency }) });
  return { result, decisions, guided: installed !== null };
}
