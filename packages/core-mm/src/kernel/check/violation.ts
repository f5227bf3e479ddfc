import { SmmuError } from '../errors.js';
import { brandClass } from '../util/brand.js';
import type { VirtualClock } from '../sched/clock.js';
import { captureSite } from './site.js';

/**
 * What a checker found. The kernel prints these as splats ("BUG: sleeping function
 * called from invalid context", "possible circular locking dependency detected", ...);
 * the model records them in the machine's {@link Report}.
 */
export type ViolationKind =
  /** might_sleep(): a sleeping primitive in atomic, RCU or non-block context. */
  | 'might-sleep'
  /** lockdep: a lock order that can deadlock (AB-BA), found from two chains. */
  | 'lock-inversion'
  /** lockdep: a spinlock taken in an interrupt handler and elsewhere with interrupts enabled. */
  | 'inconsistent-lock-state'
  /** lockdep: a lock of a class the task already holds. */
  | 'lock-recursion'
  /** lockdep: release of a lock the task does not hold. */
  | 'bad-unlock'
  /** lockdep: a task ended holding locks or in atomic context. */
  | 'held-at-exit'
  /** every runnable task is blocked: the wait-for cycle is in the details. */
  | 'deadlock'
  /** the run exceeded its step bound. */
  | 'livelock'
  /** a task awaited something outside the simulation (a real timer, real I/O). */
  | 'uncontrolled-await'
  /** a replayed run stopped fitting the recorded choices. */
  | 'divergence'
  /** a task's body threw: the kernel's oops. */
  | 'task-error'
  /** a secondary-MMU callback threw; the kernel model went on without it. */
  | 'driver-error'
  /** an invariant of the memory model does not hold (`verify`, DEBUG_VM). */
  | 'invariant'
  /**
   * the page allocator: a reference taken on a frame whose last reference is gone, or a
   * frame put when it has none left (a double free). Kernel counterpart: `bad_page()`
   * ("BUG: Bad page state") from `free_pages_prepare()`, and DEBUG_VM's
   * `VM_BUG_ON_FOLIO(folio_ref_zero_or_close_to_overflow(folio))` in `folio_get()` /
   * `get_page()` and `VM_BUG_ON_PAGE(page_ref_count(page) == 0)` in `put_page_testzero()`.
   * The model refuses the corrupting step (see `PageAllocator.get` / `put`), so `verify`
   * stays quiet after one.
   */
  | 'bad-page'
  /** kinds later layers add (the notifier core, the coherence oracle): any string. */
  | (string & {});

/** One checker finding, as the kernel would print it, with the context to debug it. */
export interface Violation {
  readonly kind: ViolationKind;
  readonly message: string;
  /** The task that was running (the kernel's `current`), or `-` when none. */
  readonly task: string;
  /** The task's held locks, outermost first, each as `name (type[, mode])`. */
  readonly heldLocks: readonly string[];
  /** The first call site outside the model, or a caller-given label. */
  readonly site: string;
  /** Extra evidence: lockdep chains, the wait-for cycle, a page's history. */
  readonly details?: readonly string[];
  /** Virtual time of the finding, ns. */
  readonly time: number;
}

/** Thrown at the first violation when a machine is `strict`. */
export class ViolationError extends SmmuError {
  readonly violation: Violation;

  constructor(violation: Violation) {
    super('EVIOLATION', `${violation.kind}: ${violation.message} [task ${violation.task}]`);
    this.violation = violation;
  }
}
brandClass(ViolationError, '@secondary-mmu/core-mm:ViolationError');

/**
 * Who a finding is about: a task's name and its held locks. A `Task` is one; the report
 * needs no more of it.
 */
export interface ViolationSubject {
  readonly name: string;
  describeHeld(): string[];
}

/**
 * The machine's findings. Tests fail on any unexpected violation; `strict` throws
 * {@link ViolationError} at the first one instead.
 */
export class Report {
  readonly violations: Violation[] = [];
  readonly warnings: string[] = [];
  readonly strict: boolean;
  private readonly clock: VirtualClock;

  constructor(strict: boolean, clock: VirtualClock) {
    this.strict = strict;
    this.clock = clock;
  }

  add(violation: Violation): void {
    this.violations.push(violation);
    if (this.strict) throw new ViolationError(violation);
  }

  /** Record a checker's finding about `task`, stamped with virtual time; thrown at once when strict. */
  report(task: ViolationSubject | null, kind: ViolationKind, message: string, details?: readonly string[], site?: string): void {
    this.add(this.violation(task, kind, message, details, site));
  }

  /** Record a finding without ever throwing (the scheduler's own reports: a run must end cleanly). */
  record(task: ViolationSubject | null, kind: ViolationKind, message: string, details?: readonly string[], site?: string): void {
    this.violations.push(this.violation(task, kind, message, details, site));
  }

  warn(message: string): void {
    this.warnings.push(message);
  }

  /** Violations of one kind. */
  of(kind: ViolationKind): Violation[] {
    return this.violations.filter((v) => v.kind === kind);
  }

  private violation(task: ViolationSubject | null, kind: ViolationKind, message: string, details: readonly string[] | undefined, site: string | undefined): Violation {
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

/** One violation as a kernel-style splat, for printing. */
export function formatViolation(v: Violation): string {
  const lines = [`[${v.kind}] ${v.message}`, `  task: ${v.task}   at: ${v.site}   time: ${v.time} ns`];
  if (v.heldLocks.length > 0) {
    lines.push(`  ${v.heldLocks.length} lock(s) held:`);
    v.heldLocks.forEach((l, i) => lines.push(`   #${i}: ${l}`));
  }
  for (const d of v.details ?? []) lines.push(`  ${d}`);
  return lines.join('\n');
}
