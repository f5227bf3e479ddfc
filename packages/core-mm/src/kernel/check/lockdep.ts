import { SmmuError } from '../errors.js';
import { HELD_READ, HELD_TRYLOCK, type Task } from '../sched/task.js';
import type { LockClass, LockEdge, Lockable, LockType } from './lock-class.js';
import { markIrqUsage } from './irq-safety.js';
import { RecordedEdge } from './recorded-edge.js';
import { captureSite } from './site.js';
import type { Report } from './violation.js';

/**
 * lockdep-lite: lock classes, the order graph, and the reports
 * "possible circular locking dependency", "possible recursive locking",
 * "bad unlock balance" and "lock held at task exit". An inversion is reported from
 * the two chains as soon as both orders have been seen, whether or not any run
 * deadlocked — the point of lockdep. Kernel counterpart: kernel/locking/lockdep.c;
 * differences: no irq-state tracking, and a recursive-read acquisition (SRCU reader)
 * adds no edge into its class since it can never block.
 */
export class Lockdep {
  private readonly report: Report;
  private readonly classes = new Map<string, LockClass>();
  private readonly reportedPairs = new Set<string>();

  constructor(report: Report) {
    this.report = report;
  }

  /** The class for `name` at nesting `subclass`, created on first use. */
  classFor(name: string, type: LockType, subclass = 0): LockClass {
    const key = `${name}/${subclass}`;
    let cls = this.classes.get(key);
    if (cls === undefined) {
      cls = {
        id: this.classes.size,
        name,
        subclass,
        type,
        recursiveRead:
          type === 'srcu' ||
          // Stryker disable next-line StringLiteral: rcu is only taken for reading, and a read of an unchecked class is never validated
          type === 'rcu',
        unchecked: type === 'rcu',
        perInstance: type === 'bit-lock',
        after: new Map(),
        irq: type === 'spinlock' ? { inHardirq: null, hardirqOn: null } : null,
        key: `${type}:${key}`,
      };
      this.classes.set(key, cls);
    } else if (cls.type !== type) {
      throw new SmmuError('EINVAL', `lock class ${name} is a ${cls.type}, not a ${type}`);
    }
    return cls;
  }

  /** Number of classes seen (for tests: machines share none). */
  get classCount(): number {
    return this.classes.size;
  }

  /**
   * Every dependency `from -> to` recorded so far, each with the first task, site and
   * held locks that made it (what `/proc/lockdep` lists), in class creation order.
   * Read-only: checking a run against a documented lock order, not changing it.
   */
  edges(): LockEdge[] {
    const out: LockEdge[] = [];
    for (const cls of this.classes.values()) for (const edge of cls.after.values()) out.push(edge);
    return out;
  }

  /**
   * Record that `task` is acquiring `lock` (before it waits, as the kernel's
   * `lock_acquire()` does, so a would-be deadlock is reported before it happens).
   * Positional arguments, no options object: this is on every lock's hot path.
   *
   * @param flags - {@link HELD_READ} and/or {@link HELD_TRYLOCK} (a trylock is recorded, never validated: it cannot wait).
   * @param subclass - nesting level (`spin_lock_nested`).
   * @param key - instance key inside the lock (a page lock's frame index), else -1.
   */
  acquire(task: Task, lock: Lockable, flags = 0, subclass = 0, key = -1, site?: string): void {
    const cls = this.check(task, lock, flags, subclass, key, site);
    if (cls.irq !== null) markIrqUsage(this.report, task, lock, cls.irq, site);
    task.heldLocks.push(lock);
    task.heldClasses.push(cls);
    task.heldFlags.push(flags);
    task.heldKeys.push(key);
    task.heldSites.push(site);
  }

  /**
   * Validate an acquisition without recording it as held: what a primitive does
   * before refusing a wait it cannot make (`EDEADLK`), so the order it was about to
   * create is still reported. Returns the class (nested subclass included).
   */
  check(task: Task, lock: Lockable, flags = 0, subclass = 0, key = -1, site?: string): LockClass {
    const cls = subclass === 0 ? lock.lockClass : this.classFor(lock.lockClass.name, lock.lockClass.type, subclass);
    const read = (flags & HELD_READ) !== 0;
    if ((flags & HELD_TRYLOCK) === 0 && !(read && cls.unchecked)) this.validate(task, lock, cls, key, read, site);
    return cls;
  }

  /**
   * Record a release. Returns false, after reporting "bad unlock balance", when the
   * task does not hold the lock; the caller then leaves the lock untouched.
   */
  release(task: Task, lock: Lockable, key = -1): boolean {
    const i = this.find(task, lock, key);
    if (i < 0) {
      this.reportBadUnlock(task, lock, key, 'holds no such lock');
      return false;
    }
    // Stryker disable next-line ArithmeticOperator: past the end no index matches, and the splice below removes the innermost lock as well
    if (i === task.heldLocks.length - 1) {
      // Nearly every release is the innermost lock: pop, no array shifting.
      task.heldLocks.pop();
      task.heldClasses.pop();
      task.heldFlags.pop();
      task.heldKeys.pop();
      task.heldSites.pop();
    } else {
      task.heldLocks.splice(i, 1);
      task.heldClasses.splice(i, 1);
      task.heldFlags.splice(i, 1);
      task.heldKeys.splice(i, 1);
      task.heldSites.splice(i, 1);
    }
    return true;
  }

  /** Report "bad unlock balance" for a release the lock itself refused (e.g. the wrong rwsem mode). */
  reportBadUnlock(task: Task, lock: Lockable, key: number, why: string): void {
    this.report.report(
      task,
      'bad-unlock',
      `bad unlock balance detected: ${task.name} is trying to release ${lock.name}${key >= 0 ? `[${key}]` : ''} (${lock.lockClass.type}) but ${why}`,
    );
  }

  /** True when `task` holds `lock` (instance `key`). */
  holds(task: Task, lock: Lockable, key = -1): boolean {
    return this.find(task, lock, key) >= 0;
  }

  /** `lock_downgrade()`: a held write acquisition becomes a read one. */
  downgrade(task: Task, lock: Lockable): boolean {
    const i = this.find(task, lock, -1);
    if (i < 0) return this.release(task, lock);
    task.heldFlags[i] = task.heldFlags[i]! | HELD_READ;
    return true;
  }

  /** At task end: locks still held, or atomic context never left, are reported. */
  checkExit(task: Task): void {
    if (task.heldLocks.length === 0 && !task.atomic) return;
    const what: string[] = [];
    if (task.heldLocks.length > 0) what.push(`${task.heldLocks.length} lock(s) held`);
    if (task.preemptCount > 0) what.push(`preempt count ${task.preemptCount}`);
    if (task.rcuDepth > 0) what.push(`RCU read-side depth ${task.rcuDepth}`);
    if (task.nonBlockDepth > 0) what.push(`non-block depth ${task.nonBlockDepth}`);
    if (task.hardirqDepth > 0) what.push(`hardirq depth ${task.hardirqDepth}`);
    if (task.irqsOffDepth > 0) what.push(`interrupts disabled (depth ${task.irqsOffDepth})`);
    this.report.report(task, 'held-at-exit', `task ${task.name} ended with ${what.join(', ')}`);
  }

  private find(task: Task, lock: Lockable, key: number): number {
    const held = task.heldLocks;
    // Stryker disable next-line ArithmeticOperator: starting past the end only visits empty slots first
    for (let i = held.length - 1; i >= 0; i--) {
      if (held[i] === lock && task.heldKeys[i] === key) return i;
    }
    return -1;
  }

  private validate(task: Task, lock: Lockable, cls: LockClass, key: number, read: boolean, site: string | undefined): void {
    const held = task.heldLocks;
    for (let i = 0; i < held.length; i++) {
      const prev = task.heldClasses[i]!;
      if (prev === cls) {
        if (read && cls.recursiveRead && (task.heldFlags[i]! & HELD_READ) !== 0) continue;
        const same = held[i] === lock && task.heldKeys[i] === key;
        if (same || !cls.perInstance) this.reportRecursion(task, lock, key, same, site);
        continue;
      }
      if (prev.unchecked && (task.heldFlags[i]! & HELD_READ) !== 0) continue;
      // A recursive reader never waits, so nothing can wait on it through this edge.
      if (read && cls.recursiveRead) continue;
      if (!prev.after.has(cls)) this.addEdge(task, prev, cls, site);
    }
  }

  private addEdge(task: Task, from: LockClass, to: LockClass, site: string | undefined): void {
    const path = this.path(to, from);
    from.after.set(to, new RecordedEdge(task, from, to, site));
    if (path === null) return;
    // The report names this acquisition's own site, captured now.
    const at = site ?? captureSite();
    const pair = `${Math.min(from.id, to.id)}:${Math.max(from.id, to.id)}`;
    if (this.reportedPairs.has(pair)) return;
    this.reportedPairs.add(pair);
    const details = [
      `new dependency: ${task.name} acquires ${label(to)} while holding ${label(from)} at ${at}`,
      `existing dependency chain ${path.map((e) => label(e.from)).concat(label(from)).join(' -> ')}:`,
      ...path.map((e) => `  ${label(e.from)} -> ${label(e.to)} first by ${e.task} at ${e.site}, holding [${e.held.join(', ')}]`),
      'possible unsafe locking scenario:',
      `  CPU0: lock(${label(from)}); CPU1: lock(${label(to)}); CPU1: lock(${label(from)}); CPU0: lock(${label(to)}) -- deadlock`,
    ];
    this.report.report(
      task,
      'lock-inversion',
      `possible circular locking dependency detected: ${task.name} acquires ${label(to)} while holding ${label(from)}, but ${label(to)} -> ${label(from)} was seen before`,
      details,
      at,
    );
  }

  /** Breadth-first search for a dependency path `start ->* target`; only on a new edge. */
  private path(start: LockClass, target: LockClass): LockEdge[] | null {
    const via = new Map<LockClass, LockEdge | null>([[start, null]]);
    const queue: LockClass[] = [start];
    for (let qi = 0; qi < queue.length; qi++) {
      const cls = queue[qi]!;
      if (cls === target) {
        const edges: LockEdge[] = [];
        for (let e = via.get(cls); e; e = via.get(e.from)) edges.unshift(e);
        return edges;
      }
      for (const [next, edge] of cls.after) {
        if (via.has(next)) continue;
        via.set(next, edge);
        queue.push(next);
      }
    }
    return null;
  }

  private reportRecursion(task: Task, lock: Lockable, key: number, same: boolean, site: string | undefined): void {
    const name = `${lock.name}${key >= 0 ? `[${key}]` : ''} (${lock.lockClass.type})`;
    this.report.report(
      task,
      'lock-recursion',
      same
        ? `possible recursive locking detected: ${task.name} acquires ${name}, which it already holds: deadlock`
        : `possible recursive locking detected: ${task.name} acquires ${name} while holding another lock of class ${lock.lockClass.name} (use a nested subclass if the order is fixed)`,
      undefined,
      site,
    );
  }
}

function label(cls: LockClass): string {
  return cls.subclass === 0 ? cls.name : `${cls.name}/${cls.subclass}`;
}
