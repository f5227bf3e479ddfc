import { captureSite } from './check/site.js';
import { Lockdep } from './check/lockdep.js';
import { Report, type Violation, type ViolationKind } from './check/violation.js';
import { SmmuError } from './errors.js';
import { LockdepMap } from './locks/lockdep-map.js';
import { ERAS, type Era } from './mm/era.js';
import { Memory, type MemoryOptions } from './mm/memory.js';
import { Rcu } from './locks/rcu.js';
import { VirtualClock } from './sched/clock.js';
import { decodeReplayToken } from './sched/replay-token.js';
import { Scheduler, type ScheduleOptions } from './sched/scheduler.js';
import { Task } from './sched/task.js';
import { RngStreams } from './util/rng.js';

/** How to build a machine. */
export interface MachineOptions {
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
  /** The kernel modelled: where notifier call sites are and which rmap locks spin (default `v6`). */
  era?: Era;
  /** Physical memory size. */
  memory?: MemoryOptions;
}

/**
 * One simulated machine: its scheduler, virtual clock, random streams, lockdep state,
 * RCU, the `fs_reclaim` pseudo-lock and the report its checkers write to. All state
 * lives here, none at module level, so two machines in one process share nothing.
 */
export class Machine {
  readonly seed: number;
  readonly report: Report;
  readonly lockdep: Lockdep;
  readonly clock: VirtualClock;
  readonly rng: RngStreams;
  readonly sched: Scheduler;
  /** The RCU-like read side (`rcu_read_lock()`) and `synchronize_rcu()`. */
  readonly rcu: Rcu;
  /**
   * The `fs_reclaim` pseudo-lock: a sleeping allocation acquires and releases it
   * (`might_alloc()` -> `fs_reclaim_acquire/release`), reclaim holds it while it runs,
   * so a lock taken both around an allocation and inside reclaim is an inversion.
   */
  readonly fsReclaim: LockdepMap;
  /** The kernel modelled. */
  readonly era: Era;
  private taskIds = 0;
  private memory: Memory | null = null;
  private readonly extensions = new Map<string, unknown>();
  private readonly memoryOptions: MemoryOptions;

  constructor(options: MachineOptions = {}) {
    const seed = options.replay !== undefined && options.seed === undefined ? decodeReplayToken(options.replay).seed : (options.seed ?? 1);
    if (!Number.isSafeInteger(seed)) throw new SmmuError('EINVAL', `seed must be an integer, got ${seed}`);
    this.seed = seed;
    const era = options.era ?? 'v6';
    if (!ERAS.includes(era)) throw new SmmuError('EINVAL', `unknown era "${String(era)}" (expected ${ERAS.join(', ')})`);
    this.era = era;
    this.memoryOptions = options.memory ?? {};
    this.report = new Report(options.strict === true);
    this.lockdep = new Lockdep(this);
    this.clock = new VirtualClock();
    this.rng = new RngStreams(seed);
    this.sched = new Scheduler(this, options.schedule ?? {}, options.replay, options.program ?? '');
    this.rcu = new Rcu(this);
    this.fsReclaim = new LockdepMap(this, 'fs_reclaim');
  }

  /** The machine's memory (frames, processes, files), created on first use. */
  get mem(): Memory {
    return (this.memory ??= new Memory(this, this.memoryOptions));
  }

  /**
   * A task driven by plain calls, outside any run: uncontended locks and other
   * non-blocking paths work synchronously; a call that would block is `EDEADLK`.
   */
  task(name: string): Task {
    return new Task(this, this.nextTaskId(), name, null, false);
  }

  /**
   * Per-machine state of a layer above core-mm (mmu-notifier's SRCU, trace and
   * oracle), created on first use. Keeping it on the machine, never at module level,
   * lets an ESM and a CJS copy of a package share one state per machine. No kernel
   * counterpart: in the kernel this state is global.
   */
  extension<T>(key: string, create: (machine: Machine) => T): T {
    if (this.extensions.has(key)) return this.extensions.get(key) as T;
    const value = create(this);
    this.extensions.set(key, value);
    return value;
  }

  /** @internal */
  nextTaskId(): number {
    return this.taskIds++;
  }

  /** Report a checker's finding: recorded, or thrown at once when the machine is strict. */
  reportViolation(task: Task | null, kind: ViolationKind, message: string, details?: readonly string[], site?: string): void {
    this.report.add(this.violation(task, kind, message, details, site));
  }

  /** Record a finding without ever throwing (the scheduler's own reports). */
  recordViolation(task: Task | null, kind: ViolationKind, message: string, details?: readonly string[], site?: string): void {
    this.report.violations.push(this.violation(task, kind, message, details, site));
  }

  private violation(task: Task | null, kind: ViolationKind, message: string, details: readonly string[] | undefined, site: string | undefined): Violation {
    return {
      kind,
      message,
      task: task?.name ?? '-',
      heldLocks: task?.describeHeld() ?? [],
      site: site ?? captureSite(),
      ...(details === undefined ? {} : { details }),
      time: this.clock.now,
    };
  }
}
