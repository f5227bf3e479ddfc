import { Machine, verify, type Era, type ScheduleOptions, type Violation } from '@secondary-mmu/core-mm';
import { configureNotifiers, NotifierTrace } from '@secondary-mmu/mmu-notifier';
import type { DriverFactory } from '../contract.js';
import { ScenarioError } from './errors.js';
import { parseScenario } from './load.js';
import type { Scenario } from './schema.js';
import { runSteps } from './steps.js';
import { matchWindows } from './windows.js';
import { buildWorld } from './world.js';

/** How to run a scenario. */
export interface RunScenarioOptions {
  /** The kernel modelled; must be one of the scenario's `eras` (when given) and of the driver's. */
  readonly era: Era;
  /** Seed of every random stream (default 1). */
  readonly seed?: number;
  /** Override the scenario's strategy (its preemption classes and depth are kept). */
  readonly strategy?: 'fifo' | 'random' | 'pct';
  /** Replay a run's token: its seed, strategy and choices (`seed`/`strategy` are then ignored). */
  readonly replay?: string;
}

/** The outcome of one scenario run. */
export interface ScenarioResult {
  /**
   * `fail`: a violation the scenario does not expect, an expected one missing, or a step
   * failing unexpectedly; `inconclusive`: otherwise, but the scenario declares windows and
   * none was hit (or a step was skipped); `pass` otherwise.
   */
  readonly verdict: 'pass' | 'fail' | 'inconclusive';
  /** Every violation recorded (setup and run). */
  readonly violations: readonly Violation[];
  /** Why the verdict is not `pass` (empty when it is). */
  readonly reasons: readonly string[];
  /** The run's replay token: pass it as `replay` to run the same schedule again. */
  readonly token: string;
  /** Occurrences of each window's pattern in the trace. */
  readonly windowHits: Record<string, number>;
  /** The run's event trace. */
  readonly trace: NotifierTrace;
  /** The machine it ran on (for inspection). */
  readonly machine: Machine;
}

/**
 * Run `scenario` once with `driver` under test: validate it (and the era) first — a bad
 * value throws a {@link ScenarioError} (`EINVAL`) before anything is built — then build
 * the machine (`program` is the scenario, so the token's fingerprint names it), the
 * processes, mappings and driver instances with direct tasks, spawn one scheduled task
 * per scenario task (CPU tasks in their process, device tasks as bare tasks), run,
 * `verify` the machine's invariants (findings are `invariant` violations), match the
 * windows and judge. Deterministic: the same seed gives the same result and trace.
 */
export async function runScenario(scenario: Scenario, driver: DriverFactory, options: RunScenarioOptions): Promise<ScenarioResult> {
  const s = parseScenario(scenario, scenario.name);
  const era = options.era;
  if (!driver.eras.includes(era)) throw new ScenarioError(s.name, [{ path: '', line: null, message: `driver "${driver.name}" does not support era "${era}" (it supports ${driver.eras.join(', ')})` }]);
  if (s.eras !== undefined && !s.eras.includes(era)) throw new ScenarioError(s.name, [{ path: 'eras', line: null, message: `era "${era}" is not one of the scenario's (${s.eras.join(', ')})` }]);

  const schedule: ScheduleOptions = {
    strategy: options.strategy ?? s.schedule?.strategy ?? 'fifo',
    ...(s.schedule?.preempt === undefined ? {} : { preempt: s.schedule.preempt }),
    ...(s.schedule?.depth === undefined ? {} : { depth: s.schedule.depth }),
  };
  const machine = new Machine({
    era,
    schedule,
    program: `${driver.name}\n${JSON.stringify(s)}`,
    ...(options.replay === undefined ? { seed: options.seed ?? 1 } : { replay: options.replay }),
    ...(s.memory === undefined ? {} : { memory: { frames: s.memory.frames } }),
  });
  if (s.kernel?.releaseOrder !== undefined) configureNotifiers(machine, { releaseOrder: s.kernel.releaseOrder });
  const trace = NotifierTrace.attach(machine);
  const world = await buildWorld(machine, trace, s, driver);

  for (const t of s.tasks) {
    if (t.process !== undefined) {
      world.processes.get(t.process)!.spawn(t.name, (task) => runSteps(world, t, task, undefined));
    } else {
      const d = world.drivers.get(t.driver!)!;
      machine.sched.spawn(t.name, (task) => runSteps(world, t, task, d));
    }
  }
  const run = await machine.sched.run();
  // The kernel model's own invariants (frame counts, rmap, page tables) after every run:
  // a driver that corrupts them fails as an `invariant` violation, not silently.
  if (!run.violations.some((v) => v.kind === 'deadlock' || v.kind === 'livelock' || v.kind === 'task-error')) verify(machine);
  const windowHits = matchWindows(world, s.windows ?? []);
  return { ...judge(s, era, machine.report.violations, world.failures, world.skipped, windowHits), violations: machine.report.violations.slice(), token: run.token, windowHits, trace, machine };
}

function judge(s: Scenario, era: Era, violations: readonly Violation[], failures: readonly string[], skipped: readonly string[], hits: Record<string, number>): Pick<ScenarioResult, 'verdict' | 'reasons'> {
  const expected = s.expect?.eras?.[era]?.violations ?? s.expect?.violations ?? [];
  const fail = [
    ...violations.filter((v) => !expected.includes(v.kind)).map((v) => `unexpected violation ${v.kind}: ${v.message}`),
    ...expected.filter((k) => !violations.some((v) => v.kind === k)).map((k) => `expected violation ${k} did not occur`),
    ...failures,
  ];
  if (fail.length > 0) return { verdict: 'fail', reasons: fail };
  const windows = s.windows ?? [];
  const missed = windows.length > 0 && windows.every((w) => hits[w.name] === 0) ? [`no window was hit (${windows.map((w) => w.name).join(', ')})`] : [];
  const inconclusive = [...missed, ...skipped.map((x) => `skipped: ${x}`)];
  return inconclusive.length > 0 ? { verdict: 'inconclusive', reasons: inconclusive } : { verdict: 'pass', reasons: [] };
}
