import { Lockdep } from './check/lockdep.js';
import { Report, type ViolationKind } from './check/violation.js';
import { SmmuError } from './errors.js';
import { Rcu } from './locks/rcu.js';
import { VirtualClock } from './sched/clock.js';
import { decodeReplayToken } from './sched/replay-token.js';
import { Scheduler, type ScheduleOptions } from './sched/scheduler.js';
import { Task } from './sched/task.js';
import { RngStreams } from './util/rng.js';

/** How to build a kernel. */
export interface KernelOptions {
  /** Seed of every random stream (default 1). A replay token brings its own. */
  seed?: number;
  /** Scheduling strategy and preemption classes (default fifo). */
  schedule?: ScheduleOptions;
  /** Replay a recorded run: its seed, strategy, preemption classes and choices. */
  replay?: string;
  /** Throw at the first violation instead of recording and going on. */
  strict?: boolean;
  /** A label of the program or scenario, part of the replay fingerprint. */
  program?: string;
  /**
   * An opaque label of what the kernel runs under, recorded in every replay token (the
   * layer that builds the kernel sets it: `Machine` records its era). A token recorded
   * under another label is refused (`ReplayTokenError`, problem `other-context`), never
   * replayed. Default: empty (none).
   */
  context?: string;
}

/**
 * The deterministic-concurrency kernel: the scheduler, virtual clock, random streams,
 * lockdep state, RCU and the report its checkers write to — everything tasks and locks
 * need, and nothing of memory. `Machine` builds the memory model on top of it; a
 * kernel alone runs and checks plain concurrent programs. All state lives here, none at
 * module level, so two kernels in one process share nothing.
 *
 * Kernel counterpart: the scheduler, `kernel/locking` and RCU, which the kernel keeps
 * global; here they are per instance.
 */
export class Kernel {
  readonly seed: number;
  readonly report: Report;
  readonly lockdep: Lockdep;
  readonly clock: VirtualClock;
  readonly rng: RngStreams;
  readonly sched: Scheduler;
  /** The RCU-like read side (`rcu_read_lock()`) and `synchronize_rcu()`. */
  readonly rcu: Rcu;
  private readonly extensions = new Map<string, unknown>();

  constructor(options: KernelOptions = {}) {
    const seed = seedOf(options);
    this.seed = seed;
    if (typeof (options.context ?? '') !== 'string') throw new SmmuError('EINVAL', `context must be a string, got ${String(options.context)}`);
    this.clock = new VirtualClock();
    this.report = new Report(options.strict === true, this.clock);
    this.lockdep = new Lockdep(this.report);
    this.rng = new RngStreams(seed);
    this.sched = new Scheduler(this, options.schedule ?? {}, options.replay, options.program ?? '', options.context ?? '');
    this.rcu = new Rcu(this);
  }

  /**
   * Give a kernel that never ran another seed, or a replay token to follow: its random
   * streams and its schedule are made again, as if it had been made with `seed` (or
   * `replay`) and its other options unchanged; everything else (direct tasks, locks,
   * memory) stays. For a testkit that builds a world once and runs copies of it
   * (`GraphTemplate`): each copy is reseeded to its run's seed. Refused with `EINVAL`,
   * nothing changed, when the kernel has run, a task was spawned, or the token asks for
   * other preemption classes (`held` preemption is fixed in each lock when it is made).
   * A reseeded copy equals a fresh build only if the set-up drew nothing from the random
   * streams; the testkit checks that its copies run byte-identical to fresh builds. No
   * kernel counterpart.
   */
  reseed(options: Pick<KernelOptions, 'seed' | 'replay'>): void {
    const seed = seedOf(options);
    const before = { seed: this.seed, rng: this.rng };
    // seed and rng are readonly to everything but the kernel.
    Object.assign(this, { seed, rng: new RngStreams(seed) });
    try {
      this.sched.reschedule(options.replay);
    } catch (error) {
      Object.assign(this, before);
      throw error;
    }
  }

  /**
   * A task driven by plain calls, outside any run: uncontended locks and other
   * non-blocking paths work synchronously; a call that would block is `EDEADLK`.
   */
  task(name: string): Task {
    return new Task(this.report, this.sched.nextTaskId(), name, null, false);
  }

  /**
   * Per-kernel state of a layer above core-mm (mmu-notifier's SRCU, trace and
   * oracle), created on first use. Keeping it here, never at module level, lets an
   * ESM and a CJS copy of a package share one state per machine. No kernel
   * counterpart: in the kernel this state is global.
   */
  extension<T>(key: string, create: (kernel: this) => T): T {
    if (this.extensions.has(key)) return this.extensions.get(key) as T;
    const value = create(this);
    this.extensions.set(key, value);
    return value;
  }

  /** Report a checker's finding: recorded, or thrown at once when the kernel is strict. */
  reportViolation(task: Task | null, kind: ViolationKind, message: string, details?: readonly string[], site?: string): void {
    this.report.report(task, kind, message, details, site);
  }

  /** Record a finding without ever throwing (the scheduler's own reports). */
  recordViolation(task: Task | null, kind: ViolationKind, message: string, details?: readonly string[], site?: string): void {
    this.report.record(task, kind, message, details, site);
  }
}

/** The seed `options` ask for: the token's when replaying without one, else `seed`, else 1. */
function seedOf(options: Pick<KernelOptions, 'seed' | 'replay'>): number {
  const seed = options.replay !== undefined && options.seed === undefined ? decodeReplayToken(options.replay).seed : (options.seed ?? 1);
  if (!Number.isSafeInteger(seed)) throw new SmmuError('EINVAL', `seed must be an integer, got ${seed}`);
  return seed;
}
