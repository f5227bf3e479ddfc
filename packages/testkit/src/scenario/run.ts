import { verify, type Era, type Machine, type RunResult, type ScheduleOptions, type Violation } from '@secondary-mmu/core-mm';
import type { NotifierTrace } from '@secondary-mmu/mmu-notifier';
import { checkEra, checkFactory, checkSeed, checkStrategy, failFor, optionsObject } from '../arguments.js';
import type { DriverFactory } from '../contract.js';
import { show } from '../show.js';
import { adaptWindows } from './adapt-windows.js';
import { checkDeviceLatency, type DeviceLatency } from './device-latency.js';
import { ScenarioError } from './errors.js';
import { StepSync } from './step-sync.js';
import { parseScenario } from './load.js';
import type { Scenario } from './schema.js';
import { runSteps } from './steps.js';
import { matchWindows } from './windows.js';
import { attachDrivers, type ScenarioWorld } from './world.js';
import { checkWorldSource, setUpFor, type WorldSource } from './world-template.js';

/** How to run a scenario. */
export interface RunScenarioOptions {
  /** The kernel modelled; must be one of the scenario's `eras` (when given) and of the driver's. */
  readonly era: Era;
  /** Seed of every random stream (default 1). */
  readonly seed?: number;
  /** Override the scenario's strategy (its preemption classes and depth are kept). */
  readonly strategy?: 'fifo' | 'random' | 'pct';
  /**
   * Replay a run's token: its seed, strategy and choices (`seed`/`strategy` are then
   * ignored). A token recorded in another era, corrupted, or of an older format is
   * refused with core-mm's `ReplayTokenError` (`EINVAL`), before anything is built.
   */
  readonly replay?: string;
  /**
   * Virtual ns each device access (and, more, each device fault) takes before the driver
   * is called, slept on the device task (default none; see {@link DeviceLatency}). Part
   * of the run's program: a token replays its run only with the same latency (with
   * another, the schedule differs and the replay reports a `divergence`).
   */
  readonly deviceLatency?: DeviceLatency;
  /**
   * Check the kernel model's invariants after the run (`verify`; default true). Off
   * only for throughput runs that sample it (`explore`'s `verifyEvery`): a driver that
   * corrupts the model then fails only on the runs that check.
   */
  readonly verify?: boolean;
  /**
   * Where the run's set-up world comes from: built from nothing, or a copy of one built
   * once (see {@link WorldSource}; default `auto`). Runs are byte-identical either way;
   * only their cost differs.
   */
  readonly world?: WorldSource;
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
 * Run `scenario` once with `driver` under test: validate it, the driver and the options
 * first — a bad scenario throws a {@link ScenarioError}, a bad driver or option a
 * `TestkitArgumentError`, a token that cannot be replayed here core-mm's
 * `ReplayTokenError` (all `EINVAL`), before anything is built — then build the machine
 * (`program` is the scenario, so the token's fingerprint names it), the processes and
 * mappings with direct tasks (or copy them: `options.world`), attach the driver
 * instances, spawn one scheduled task per scenario task (CPU tasks in their process,
 * device tasks as bare tasks), run, `verify`
 * the machine's invariants (findings are `invariant` violations), match the windows and
 * judge. `verify` runs only after a run that ended: not after one stopped midway
 * (`RunResult.aborted`: deadlock, livelock, uncontrolled await, divergence) nor after
 * a task's oops (`task-error`), where an operation may be half done — those runs fail
 * on their own violation. A driver's `attach` that never settles (it awaited something
 * outside the simulation) is an `uncontrolled-await` violation and a failed result,
 * not a hang (see `Scheduler.awaitDirect`). Deterministic: the same seed gives the
 * same result and trace.
 */
export async function runScenario(scenario: Scenario, driver: DriverFactory, options: RunScenarioOptions): Promise<ScenarioResult> {
  const fn = 'runScenario';
  const s = parseScenario(scenario, sourceOf(scenario));
  checkFactory(fn, driver);
  if (options === undefined) failFor(fn)('not-an-object', 'options', 'missing: give at least { era }');
  const o = optionsObject(fn, options);
  const era = checkEra(fn, o.era, 'options.era');
  const strategy = checkStrategy(fn, o.strategy, 'options.strategy');
  if (o.replay !== undefined && typeof o.replay !== 'string') failFor(fn)('bad-replay', 'options.replay', `must be a replay token (a string), got ${show(o.replay)}`);
  if (o.seed !== undefined) checkSeed(fn, o.seed, 'options.seed');
  if (o.verify !== undefined && typeof o.verify !== 'boolean') failFor(fn)('not-a-boolean', 'options.verify', `must be true or false, got ${show(o.verify)}`);
  const latency = checkDeviceLatency(fn, o.deviceLatency, 'options.deviceLatency');
  const source = checkWorldSource(fn, o.world, 'options.world');
  if (!driver.eras.includes(era)) throw new ScenarioError(s.name, [{ path: '', line: null, message: `driver "${driver.name}" does not support era "${era}" (it supports ${driver.eras.join(', ')})` }]);
  if (s.eras !== undefined && !s.eras.includes(era)) throw new ScenarioError(s.name, [{ path: 'eras', line: null, message: `era "${era}" is not one of the scenario's (${s.eras.join(', ')})` }]);

  const schedule: ScheduleOptions = {
    strategy: strategy ?? s.schedule?.strategy ?? 'fifo',
    ...(s.schedule?.preempt === undefined ? {} : { preempt: s.schedule.preempt }),
    ...(s.schedule?.depth === undefined ? {} : { depth: s.schedule.depth }),
  };
  // What runs and is matched: the scenario with its patterns adapted to the driver (the token fingerprints `s` as given).
  const adapted = adaptWindows(s);
  const setUp = await setUpFor({ scenario: adapted, era, schedule, program: programOf(driver, s, latency), seed: o.seed ?? 1, replay: o.replay }, source);
  const { machine, trace } = setUp;
  const built = await attachDrivers(setUp, adapted, driver, latency);
  if ('aborted' in built) {
    // An attach never settled: no run, no window hit, and the machine is aborted.
    const none = Object.fromEntries((s.windows ?? []).map((w) => [w.name, 0]));
    return result(s, era, machine, built.aborted, { failures: [], skipped: [] }, trace, none);
  }
  const world = built.world;
  const sync = new StepSync(world);

  for (const t of world.scenario.tasks) {
    if (t.process !== undefined) {
      world.processes.get(t.process)!.spawn(t.name, (task) => runSteps(world, t, task, undefined, sync));
    } else {
      const d = world.drivers.get(t.driver!)!;
      machine.sched.spawn(t.name, (task) => runSteps(world, t, task, d, sync));
    }
  }
  const run = await machine.sched.run();
  sync.detach();
  // The kernel model's own invariants (frame counts, rmap, page tables) after every run
  // that ended: a driver that corrupts them fails as an \`invariant\` violation, not
  // silently. A run stopped midway may have left an operation half done (a munmap
  // whose vma is gone but not yet its page tables): that is not corruption, and the run
  // fails on the violation that stopped it.
  if (o.verify !== false && !run.aborted && !run.violations.some((v) => v.kind === 'task-error')) verify(machine);
  return result(s, era, machine, run, world, trace, matchWindows(world, world.scenario.windows ?? []));
}

/**
 * The program a run's token fingerprints: the driver and the scenario, and the device
 * latency when there is one (so a token recorded without latency still replays).
 */
function programOf(driver: DriverFactory, s: Scenario, latency: Required<DeviceLatency>): string {
  const base = `${driver.name}\n${scenarioText(s)}`;
  return latency.fault === 0 && latency.access === 0 ? base : `${base}\ndevice latency ${JSON.stringify(latency)}`;
}

/** A validated scenario's JSON, once per scenario: it is frozen, so it cannot change. */
const texts = new WeakMap<Scenario, string>();
function scenarioText(s: Scenario): string {
  let text = texts.get(s);
  if (text === undefined) {
    text = JSON.stringify(s);
    texts.set(s, text);
  }
  return text;
}

/** The scenario's name when it has one, for error messages (anything may be passed in). */
export function sourceOf(scenario: unknown): string {
  const name = typeof scenario === 'object' && scenario !== null ? (scenario as { name?: unknown }).name : undefined;
  return typeof name === 'string' && name !== '' ? name : '<scenario>';
}

/** The result of a run (or of a set-up that never got to run) with its window hits. */
function result(s: Scenario, era: Era, machine: Machine, run: RunResult, world: Pick<ScenarioWorld, 'failures' | 'skipped'>, trace: NotifierTrace, windowHits: Record<string, number>): ScenarioResult {
  const { verdict, reasons } = judge(s, era, machine.report.violations, world.failures, world.skipped, windowHits);
  // Fields written out, not spread: V8 builds a literal that mixes a spread with a
  // getter field by field through its slow path (about 30 µs, a tenth of a schedule).
  return {
    verdict,
    reasons,
    violations: machine.report.violations.slice(),
    // Read from the run when asked: encoding it costs more than a small run.
    get token(): string {
      return run.token;
    },
    windowHits,
    trace,
    machine,
  };
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
