import { mightSleep } from '../check/might-sleep.js';
import type { Lockdep } from '../check/lockdep.js';
import type { Report, Violation } from '../check/violation.js';
import { SmmuError } from '../errors.js';
import { never } from '../util/is-promise.js';
import type { RngStreams } from '../util/rng.js';
import type { VirtualClock } from './clock.js';
import { PREEMPT_BIT, preemptClasses, type PreemptClass } from './preempt-class.js';
import { choicesLeft, deadlock, directAwait, divergence, livelock, oops, strayed, uncontrolledAwait, type RunFinding } from './run-findings.js';
import { Schedule, type ScheduleOptions } from './schedule.js';
import type { Strategy } from './strategy.js';
import { Task, type Waitable } from './task.js';
import { addTimer, expireTimer, Sleeper } from './timers.js';
import { armWatchdog } from './watchdog.js';

export { MODEL_HASH, type ScheduleOptions } from './schedule.js';

/**
 * What {@link Scheduler.awaitDirect} found: the work's value, or — when it never
 * settled — the result of the run that now cannot happen (aborted, with the
 * `uncontrolled-await` violation and a token that reproduces it).
 */
export type DirectOutcome<T> = { readonly settled: true; readonly value: T } | { readonly settled: false; readonly result: RunResult };

/** The outcome of one run. */
export interface RunResult {
  /** No violation was recorded during the run. */
  readonly ok: boolean;
  /** The run stopped early: deadlock, livelock, uncontrolled await, divergence, or a strict violation. */
  readonly aborted: boolean;
  readonly violations: readonly Violation[];
  /** Reproduces this run exactly: pass it as `MachineOptions.replay` with the same program. */
  readonly token: string;
  /** Scheduling points consulted. */
  readonly steps: number;
  /** Context switches made. */
  readonly switches: number;
  /** Virtual time at the end, ns. */
  readonly time: number;
  /** The scheduling trace (empty unless `trace: true`). */
  readonly trace: readonly string[];
}

/** What the scheduler uses of its kernel: the run's seed and streams, the clock, the report and lockdep. */
export interface SchedulerContext {
  readonly seed: number;
  readonly rng: RngStreams;
  readonly clock: VirtualClock;
  readonly report: Report;
  readonly lockdep: Lockdep;
}

/**
 * The machine's scheduler: one per machine, always. Tasks are simulated threads; one
 * runs at a time, and the strategy decides who runs at each scheduling point.
 * Suspension is a Promise, so a task that never blocks (the fifo fast path) never
 * allocates one. Kernel counterpart: `kernel/sched`, reduced to what determinism
 * and checking need — no priorities, no CPUs beyond "one task per CPU".
 *
 * Beside it: the strategy, preemption classes and replay recording (`schedule.ts`),
 * the sleepers' timer queue (`timers.ts`), what a failed run reports (`run-findings.ts`).
 */
export class Scheduler {
  readonly strategy: Strategy;
  private guide: ((runnable: readonly Task[], current: Task | null) => Task | null) | null = null;
  /** The running task (the kernel's `current`), or null outside a run. */
  current: Task | null = null;

  private readonly kernel: SchedulerContext;
  /** The strategy, preemption classes and step bound, and the run's replay recording. */
  private readonly schedule: Schedule;
  /** What the schedule was made from, to make it again for another seed ({@link Scheduler.reschedule}). */
  private readonly made: { readonly options: ScheduleOptions; readonly program: string; readonly context: string };
  private taskIds = 0;
  // Copied from `schedule`: read at every scheduling point.
  private readonly mask: number;
  private readonly maxSteps: number;
  private readonly tasks: Task[] = [];
  private readonly runQueue: Task[] = [];
  private readonly runnable: Task[] = [];
  /** Sleepers by wake time (see timers.ts): a plain array, tested inline in `choose`. */
  private readonly sleepers: Sleeper[] = [];
  private readonly traceLines: string[] | null;
  private choices: number[] = [];
  private active = false;
  private aborted = false;
  private runs = 0;
  private live = 0;
  private steps = 0;
  private switches = 0;
  private firstViolation = 0;
  private settle: ((result: RunResult) => void) | null = null;
  private disarmWatchdog: (() => void) | null = null;

  /** @internal Created by the kernel. */
  constructor(kernel: SchedulerContext, options: ScheduleOptions, replay: string | undefined, program: string, context = '') {
    this.kernel = kernel;
    this.traceLines = options.trace === true ? [] : null;
    const schedule = (this.schedule = new Schedule(kernel, options, replay, program, context));
    this.made = { options, program, context };
    this.strategy = schedule.strategy;
    this.mask = schedule.mask;
    this.maxSteps = schedule.maxSteps;
  }

  /**
   * @internal Make the strategy and the replay recording again, for the kernel's new
   * seed (`Kernel.reseed`) or for `replay`, as the constructor would have with the same
   * options. Only before the first run and the first spawn, and only to the same
   * preemption classes: a lock fixes when it is made whether its holder may be preempted
   * (`held`), so a machine whose locks exist cannot change that. Refused with `EINVAL`,
   * nothing changed.
   */
  reschedule(replay: string | undefined): void {
    if (this.runs > 0 || this.active || this.aborted) throw new SmmuError('EINVAL', 'reschedule: this machine has run; only a machine that never ran can be given another seed');
    // A strategy meets each task at its spawn (PCT draws its priority then): a new one would not know them.
    if (this.tasks.length > 0) throw new SmmuError('EINVAL', `reschedule: ${this.tasks.length} task(s) already spawned; give the seed before spawning`);
    const schedule = new Schedule(this.kernel, this.made.options, replay, this.made.program, this.made.context);
    if (schedule.mask !== this.mask) {
      throw new SmmuError('EINVAL', `reschedule: preemption classes [${preemptClasses(schedule.mask).join(', ')}] differ from this machine's [${preemptClasses(this.mask).join(', ')}]`);
    }
    // The fields are readonly to everything but this: the schedule is the machine's until here.
    Object.assign(this, { schedule, strategy: schedule.strategy });
  }

  /** @internal A new task id: direct and spawned tasks share one sequence. */
  nextTaskId(): number {
    return this.taskIds++;
  }

  /** Whether a run is in progress. */
  get running(): boolean {
    return this.active;
  }

  /**
   * Create a task that runs `body` when the machine next runs (`run()`). A daemon
   * (kswapd, a message handler) does not keep a run alive: the run ends when every
   * non-daemon task has ended, and daemons carry over to the next run.
   */
  spawn(name: string, body: (task: Task) => unknown, options?: { daemon?: boolean }): Task {
    if (this.aborted) throw new SmmuError('EINVAL', `cannot spawn ${name}: this machine's last run was aborted`);
    const task = new Task(this.kernel.report, this.nextTaskId(), name, body, options?.daemon === true);
    task.spawnIndex = this.tasks.length;
    task.resume = () => queueMicrotask(() => this.start(task));
    this.tasks.push(task);
    this.runQueue.push(task);
    if (!task.daemon) this.live++;
    this.strategy.onSpawn(task);
    this.log(`spawn ${name}`);
    return task;
  }

  /** Run every spawned task to its end (or until the run is stopped by a checker). */
  run(): Promise<RunResult> {
    if (this.active) return Promise.reject(new SmmuError('EBUSY', 'a run is already in progress on this machine'));
    if (this.aborted) return Promise.reject(new SmmuError('EINVAL', "this machine's last run was aborted; create a new machine"));
    this.active = true;
    this.runs++;
    this.steps = 0;
    this.switches = 0;
    this.choices = [];
    this.firstViolation = this.kernel.report.violations.length;
    this.schedule.begin(this.tasks, this.kernel.report);
    const result = new Promise<RunResult>((resolve) => {
      this.settle = resolve;
    });
    const run = this.runs;
    this.disarmWatchdog = armWatchdog(() => this.checkSettled(run));
    this.log('run');
    this.dispatchNext();
    return result;
  }

  /**
   * Await `work`, which the direct task `task` began outside any run (a driver's
   * `attach` while a scenario is set up; `what` names it in the report). Nothing else
   * runs meanwhile, so work that uses only the model settles within microtasks. Still
   * pending at the first macrotask — the bound a run has too (see `uncontrolled-await`)
   * — it awaited something outside the simulation and will never settle: that is
   * recorded as an `uncontrolled-await` violation against `task`, the machine is
   * aborted as after an aborted run (`work` may still go on behind it), and the answer
   * is that run's result (aborted, no choices, its token) instead of a hang. A
   * rejection of `work` is passed on; a value that is not a Promise is answered at
   * once. Deterministic: no wall-clock time is measured. No kernel counterpart.
   */
  awaitDirect<T>(task: Task, work: T | Promise<T>, what = 'its work'): Promise<DirectOutcome<T>> {
    if (this.active) return Promise.reject(new SmmuError('EBUSY', `${task.name}: awaitDirect during a run (a task awaits the model directly)`));
    if (this.aborted) return Promise.reject(new SmmuError('EINVAL', "this machine's last run was aborted; create a new machine"));
    if (!(work instanceof Promise)) return Promise.resolve({ settled: true, value: work });
    let disarm = (): void => {};
    const bound = new Promise<DirectOutcome<T>>((resolve) => {
      disarm = armWatchdog(() => resolve({ settled: false, result: this.abortDirect(directAwait(task, what)) }));
    });
    const settled = work.then((value): DirectOutcome<T> => ({ settled: true, value }));
    // Settled (either way) before the first macrotask: the watchdog must not fire.
    settled.then(disarm, disarm);
    return Promise.race([settled, bound]);
  }

  /** Record `f`, abort the machine before any run, and give the run's would-be result. */
  private abortDirect(f: RunFinding): RunResult {
    this.aborted = true;
    const first = this.kernel.report.violations.length;
    this.kernel.report.record(f.task, f.kind, f.message, f.details);
    this.schedule.begin(this.tasks, this.kernel.report);
    return {
      ok: false,
      aborted: true,
      violations: this.kernel.report.violations.slice(first),
      token: this.schedule.token([]),
      steps: 0,
      switches: 0,
      time: this.kernel.clock.now,
      trace: [],
    };
  }

  /** @internal Called by the watchdog at the first macrotask after a run started. */
  checkSettled(run: number): void {
    if (!this.active || run !== this.runs) return;
    this.stop(uncontrolledAwait(this.current));
  }

  /**
   * A preemption point of class `cls`. Returns nothing (no Promise) unless the
   * strategy switches to another task here.
   */
  preempt(task: Task, cls: PreemptClass): void | Promise<void> {
    if ((this.mask & PREEMPT_BIT[cls]) === 0 || !this.active) return;
    if (task !== this.current) return this.notCurrent(task, cls);
    const next = this.choose(task);
    if (next === null) return never();
    if (next === task) return;
    task.state = 'runnable';
    this.runQueue.push(task);
    const resumed = suspend(task);
    this.log(`switch ${task.name} -> ${next.name} (${cls})`);
    this.dispatch(next);
    return resumed;
  }

  /**
   * Whether points of class `cls` may switch tasks in this machine's runs: a lock asks
   * when it is made, so a disabled class costs its fast path nothing. Kernel
   * counterpart: none (the preemption model is fixed at boot, `preempt=`).
   */
  preempts(cls: PreemptClass): boolean {
    return (this.mask & PREEMPT_BIT[cls]) !== 0;
  }

  /** An explicit preemption point of class `yield`, with no context check (a program's "another CPU may run here"). */
  yield(task: Task): void | Promise<void> {
    return this.preempt(task, 'yield');
  }

  /** `cond_resched()`: a `yield` point that, like the kernel's, checks might-sleep first. */
  condResched(task: Task): void | Promise<void> {
    mightSleep(task, 'cond_resched');
    return this.preempt(task, 'yield');
  }

  /**
   * Block `task` (the current one) until `wake(task)`. Only the model's primitives
   * call this; they have already checked might-sleep where the wait is a sleep.
   * Outside a run nothing else could wake the task: that is `EDEADLK`.
   */
  block(task: Task, on: Waitable): Promise<void> {
    if (!this.active || task !== this.current) {
      if (this.aborted) return never();
      throw this.wouldBlock(task, on);
    }
    task.state = 'blocked';
    task.waitingOn = on;
    const resumed = suspend(task);
    this.log(`block ${task.name} on ${on.describe()}`);
    this.current = null;
    this.dispatchNext();
    return resumed;
  }

  /**
   * Whether `task` may block now: it is the running task of a run. Primitives ask
   * before they queue a waiter, so a refused wait (`EDEADLK`) leaves no trace.
   */
  canBlock(task: Task): boolean {
    return this.aborted || (this.active && task === this.current);
  }

  /** The `EDEADLK` error for a task that would block where it cannot. */
  wouldBlock(task: Task, on: Waitable): SmmuError {
    const holders = on.holders().map((h) => h.name);
    return new SmmuError(
      'EDEADLK',
      `${task.name} would block on ${on.describe()} ${this.active ? `while ${this.current?.name ?? 'no task'} is running` : 'outside a scheduler run'}${holders.length > 0 ? ` (held by ${holders.join(', ')})` : ''}: nothing else can run to release it`,
    );
  }

  /** Make a blocked task runnable; the waker goes on running. */
  wake(task: Task): void {
    if (task.state !== 'blocked') return;
    task.state = 'runnable';
    task.waitingOn = null;
    this.runQueue.push(task);
    this.log(`wake ${task.name}`);
  }

  /**
   * Sleep `ns` of virtual time: `msleep()`/`schedule_timeout()`. A sleeping primitive:
   * might-sleep is checked. Outside a run the clock just advances.
   */
  sleep(task: Task, ns: number): void | Promise<void> {
    if (!(ns >= 0) || !Number.isFinite(ns)) throw new SmmuError('EINVAL', `sleep of ${ns} ns: must be a finite non-negative number`);
    mightSleep(task, 'msleep', `${ns} ns`);
    if (!this.active) {
      this.kernel.clock.advance(ns);
      return;
    }
    const sleeper = new Sleeper(task, this.kernel.clock.now + ns);
    if (!this.canBlock(task)) throw this.wouldBlock(task, sleeper);
    addTimer(this.sleepers, sleeper);
    return this.block(task, sleeper);
  }

  /**
   * Decide the scheduling points with `guide` instead of the strategy (null: back to
   * the strategy) — a shrinker's guided re-run. `guide` gets what a strategy's `nextTask`
   * gets and must return one of `runnable`. Choices are still recorded, so the run's
   * replay token reproduces it with the plain replay strategy. Call it before `run()`,
   * on a machine made from a replay token with no choices (so the replay strategy has
   * none left over). No kernel counterpart.
   */
  steer(guide: ((runnable: readonly Task[], current: Task | null) => Task | null) | null): void {
    this.guide = guide;
  }

  /** Tasks spawned on this machine, in spawn order. */
  get allTasks(): readonly Task[] {
    return this.tasks;
  }

  private notCurrent(task: Task, cls: PreemptClass): void | Promise<void> {
    if (this.aborted) return never();
    if (task.state === 'direct') return;
    throw new SmmuError('EINVAL', `${task.name} reached a ${cls} preemption point while ${this.current?.name ?? 'no task'} is running`);
  }

  /** One scheduling decision among the current task (if runnable) and the run queue. */
  private choose(current: Task | null): Task | null {
    if (++this.steps > this.maxSteps) {
      this.stop(livelock(current, this.maxSteps));
      return null;
    }
    // Sleepers whose time has come compete with the runnable tasks (no starvation by busy tasks).
    if (this.sleepers.length > 0 && this.sleepers[0]!.until <= this.kernel.clock.now) this.wakeDue(this.kernel.clock.now);
    const runnable = this.runnable;
    const queue = this.runQueue;
    const offset = current === null ? 0 : 1;
    if (current !== null) runnable[0] = current;
    for (let i = 0; i < queue.length; i++) runnable[i + offset] = queue[i]!;
    runnable.length = queue.length + offset;
    const next = this.guide !== null ? this.guide(runnable, current) : this.strategy.nextTask(runnable, current);
    if (next === null) {
      this.stop(divergence(current, this.strategy.divergence));
      return null;
    }
    const index = runnable.length === 1 ? 0 : runnable.indexOf(next);
    if (runnable.length > 1) this.choices.push(next.spawnIndex, runnable.length);
    if (index >= offset) queue.splice(index - offset, 1);
    return next;
  }

  /** The CPU is free (the current task blocked or ended): run someone else. */
  private dispatchNext(): void {
    if (this.live === 0) return this.finish();
    if (this.runQueue.length === 0 && !this.wakeSleepers()) return this.stop(deadlock(this.tasks));
    const next = this.choose(null);
    if (next !== null) this.dispatch(next);
  }

  private dispatch(next: Task): void {
    this.current = next;
    next.state = 'running';
    this.switches++;
    const resume = next.resume!;
    next.resume = null;
    resume();
  }

  /** A spawned task's first step: run its body. */
  private start(task: Task): void {
    if (!this.active) return;
    this.log(`start ${task.name}`);
    let result: unknown;
    try {
      result = task.body!(task);
    } catch (error) {
      return this.failed(task, error);
    }
    if (result instanceof Promise) {
      void result.then(
        () => this.exit(task),
        (error: unknown) => this.failed(task, error),
      );
    } else this.exit(task);
  }

  private exit(task: Task): void {
    if (!this.active || task.state === 'done') return;
    if (task !== this.current) return this.stop(strayed(task));
    task.state = 'done';
    if (!task.daemon) this.live--;
    this.log(`exit ${task.name}`);
    if (this.current === task) this.current = null;
    try {
      this.kernel.lockdep.checkExit(task);
    } catch {
      return this.abort(); // strict: the violation is recorded, the run stops here
    }
    this.dispatchNext();
  }

  private failed(task: Task, error: unknown): void {
    if (!this.active) return;
    if (task !== this.current) return this.stop(strayed(task));
    const violation = (error as { violation?: Violation } | null)?.violation;
    if (violation !== undefined && (error as { code?: unknown }).code === 'EVIOLATION') {
      return this.abort();
    }
    const f = oops(task, error);
    this.kernel.report.record(f.task, f.kind, f.message, f.details); // the task ends, the run goes on
    this.exit(task);
  }

  /** Wake every sleeper due at `now`. */
  private wakeDue(now: number): boolean {
    let woke = false;
    for (let task = expireTimer(this.sleepers, now); task !== null; task = expireTimer(this.sleepers, now)) {
      this.wake(task);
      woke = true;
    }
    return woke;
  }

  /** Advance virtual time to the earliest sleepers and wake them; false if none is left. */
  private wakeSleepers(): boolean {
    while (this.sleepers.length > 0) {
      const until = this.sleepers[0]!.until;
      this.kernel.clock.advanceTo(until);
      this.log(`clock ${until}`);
      if (this.wakeDue(until)) return true;
    }
    return false;
  }

  /** Record `f` and stop the run: the machine cannot run again. */
  private stop(f: RunFinding): void {
    this.kernel.report.record(f.task, f.kind, f.message, f.details);
    this.abort();
  }

  private abort(): void {
    this.aborted = true;
    this.finish();
  }

  private finish(): void {
    if (!this.active) return;
    this.active = false;
    this.current = null;
    if (!this.aborted && this.schedule.unusedChoices > 0) {
      const f = choicesLeft(this.schedule.unusedChoices);
      this.kernel.report.record(f.task, f.kind, f.message, f.details);
    }
    this.log('end');
    const violations = this.kernel.report.violations.slice(this.firstViolation);
    const settle = this.settle!;
    this.settle = null;
    this.disarmWatchdog?.();
    this.disarmWatchdog = null;
    // The token is encoded when first read: an exploration reads it from failing runs only.
    const schedule = this.schedule;
    const choices = this.choices;
    let token: string | undefined;
    settle({
      ok: violations.length === 0,
      aborted: this.aborted,
      violations,
      get token(): string {
        token ??= schedule.token(choices);
        return token;
      },
      steps: this.steps,
      switches: this.switches,
      time: this.kernel.clock.now,
      trace: this.traceLines === null ? [] : this.traceLines.slice(),
    });
  }

  private log(event: string): void {
    if (this.traceLines !== null) this.traceLines.push(`${this.kernel.clock.now} #${this.steps} ${event}`);
  }
}

function suspend(task: Task): Promise<void> {
  return new Promise<void>((resolve) => {
    task.resume = resolve;
  });
}
