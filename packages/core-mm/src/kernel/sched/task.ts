import type { LockClass, Lockable } from '../check/lock-class.js';
import type { Report } from '../check/violation.js';
import { SmmuError } from '../errors.js';

/** Where a task is in its life. `direct` tasks are driven by plain calls, outside any run. */
export type TaskState = 'direct' | 'runnable' | 'running' | 'blocked' | 'done';

/** What a blocked task waits for: a lock (with holders, for the wait-for graph) or an event. */
export interface Waitable {
  /** e.g. `mutex mmap_lock`, `completion ack`, `sleep until 1200 ns`. */
  describe(): string;
  /** Tasks that hold it and must release it before the waiter can go on (none for events). */
  holders(): readonly Task[];
}

/**
 * The address space a task runs in, as the concurrency kernel sees it: something with
 * an id, nothing more. The kernel layer forward-declares it as C code does
 * `struct mm_struct;`; the memory model stores its `Mm` here and narrows it back
 * (`taskMm()` in mm/).
 */
export interface TaskMm {
  readonly id: number;
}

/** How a held lock was taken; bits of {@link Task.heldFlags}. */
export const HELD_READ = 1;
export const HELD_TRYLOCK = 2;

/**
 * One simulated thread of execution: a CPU running a process, a kernel thread
 * (kswapd, oom_reaper), a vCPU, a device engine, a remote partition's handler.
 *
 * Kernel counterpart: `struct task_struct` as `current`, made explicit — kernel
 * functions take the task as their first parameter. It carries what the kernel's
 * checkers read: `preempt_count()` (spinlocks), the RCU read-side depth, the
 * non-block depth (inside a non-blockable notifier range), and lockdep's held-lock
 * stack (`task->held_locks`).
 */
export class Task {
  readonly id: number;
  readonly name: string;
  /** The report this task's checker findings go to: its kernel's. */
  readonly report: Report;
  /** A daemon (kswapd, a message handler) does not keep a run going. */
  readonly daemon: boolean;

  /** Spinlocks held (and explicit preempt_disable): `preempt_count()`. */
  preemptCount = 0;
  /** RCU-like read-side nesting: `rcu_read_lock()` depth. */
  rcuDepth = 0;
  /** Non-blockable section nesting: the calling context of a non-blockable range. */
  nonBlockDepth = 0;
  /** Interrupt-handler nesting (the `HARDIRQ_MASK` bits of `preempt_count()`); see `runHardirq`. */
  hardirqDepth = 0;
  /** `local_irq_save()` nesting: interrupts off on the task's CPU (`irqs_disabled()`). */
  irqsOffDepth = 0;

  /** Held locks, outermost first (lockdep's `held_locks`). Parallel arrays: no allocation per acquire. */
  readonly heldLocks: Lockable[] = [];
  /** The lockdep class per held lock (the lock's class, or its nested subclass). */
  readonly heldClasses: LockClass[] = [];
  /** {@link HELD_READ} | {@link HELD_TRYLOCK} per held lock. */
  readonly heldFlags: number[] = [];
  /** Instance key per held lock (the frame index of a page lock, else -1). */
  readonly heldKeys: number[] = [];
  /** Caller-given site per held lock, when any. */
  readonly heldSites: (string | undefined)[] = [];

  /** The address space the task runs in (`current->mm`); set and read by the memory model. */
  mm: TaskMm | null = null;

  state: TaskState;
  /** Position in the machine's spawn order (-1 for direct tasks); replay tokens name tasks by it. */
  spawnIndex = -1;
  /**
   * `PF_MEMALLOC`: set while the task reclaims, so its own allocations neither recurse
   * into reclaim nor touch the `fs_reclaim` pseudo-lock (`__need_reclaim()`).
   */
  memalloc = false;
  /** What the task is blocked on, for deadlock reports. */
  waitingOn: Waitable | null = null;

  /** @internal Resumes the task after a scheduler suspension. */
  resume: (() => void) | null = null;
  /** @internal The task's body, for the run's fingerprint. */
  readonly body: ((task: Task) => unknown) | null;

  /** @internal Use `kernel.task()` or `kernel.sched.spawn()`. */
  constructor(report: Report, id: number, name: string, body: ((task: Task) => unknown) | null, daemon: boolean) {
    this.report = report;
    this.id = id;
    this.name = name;
    this.body = body;
    this.daemon = daemon;
    this.state = body === null ? 'direct' : 'runnable';
  }

  /** True where sleeping is illegal: spinlock held, RCU read side, non-block section, interrupt handler or interrupts off. */
  get atomic(): boolean {
    return this.preemptCount > 0 || this.rcuDepth > 0 || this.nonBlockDepth > 0 || this.hardirqDepth > 0 || this.irqsOffDepth > 0;
  }

  /** `in_hardirq()`: running an interrupt handler. */
  get inHardirq(): boolean {
    return this.hardirqDepth > 0;
  }

  /**
   * Enter a non-blockable section (`non_block_start()`): what core-mm does before
   * calling the port for a range with `blockable == false`
   * (`mmu_notifier_range_blockable()` false). A sleep inside is a might-sleep violation.
   */
  enterNonBlock(): void {
    this.nonBlockDepth++;
  }

  /** Leave a non-blockable section (`non_block_end()`). */
  exitNonBlock(): void {
    if (this.nonBlockDepth === 0) throw new SmmuError('EINVAL', `task ${this.name}: exitNonBlock without enterNonBlock`);
    this.nonBlockDepth--;
  }

  /** The held-lock stack as report lines, outermost first: `name (type[, read][, trylock])`. */
  describeHeld(): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.heldLocks.length; i++) {
      out.push(describeHeldLock(this.heldLocks[i]!, this.heldClasses[i]!, this.heldFlags[i]!, this.heldKeys[i]!, this.heldSites[i]));
    }
    return out;
  }

  toString(): string {
    return this.name;
  }
}

/**
 * @internal One held lock as a report line: `name[/subclass][[key]] (type[, read][,
 * trylock])[ at site]` (what lockdep prints per entry of `held_locks`).
 */
export function describeHeldLock(lock: Lockable, cls: LockClass, flags: number, key: number, site: string | undefined): string {
  let s = `${lock.name}${cls.subclass > 0 ? `/${cls.subclass}` : ''}${key >= 0 ? `[${key}]` : ''} (${cls.type}`;
  if (flags & HELD_READ) s += ', read';
  if (flags & HELD_TRYLOCK) s += ', trylock';
  s += ')';
  if (site !== undefined) s += ` at ${site}`;
  return s;
}
