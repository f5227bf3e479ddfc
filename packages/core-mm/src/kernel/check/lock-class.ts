/** The kind of lock, printed with every held lock: reports say which locks sleep. */
export type LockType = 'spinlock' | 'mutex' | 'rwsem' | 'bit-lock' | 'srcu' | 'rcu' | 'pseudo';

/**
 * A lockdep class: every lock created under one name shares it, as kernel locks
 * initialised at one site share a `lock_class_key`; `subclass` is the nesting level
 * of `spin_lock_nested()` / `mutex_lock_nested()`.
 */
export interface LockClass {
  readonly id: number;
  readonly name: string;
  readonly subclass: number;
  readonly type: LockType;
  /** Read acquisitions never block and may nest (RCU, SRCU readers). */
  readonly recursiveRead: boolean;
  /** Read acquisitions take no part in lock ordering (`rcu_read_lock`: lockdep check=0). */
  readonly unchecked: boolean;
  /** Only the same instance counts as recursion (the page lock: one bit per frame). */
  readonly perInstance: boolean;
  /** @internal Dependencies `this -> to`, first seen. */
  readonly after: Map<LockClass, LockEdge>;
  /** @internal Interrupt-context usage, tracked for spinlocks only (null otherwise). */
  readonly irq: IrqUsage | null;
  /** @internal `type:name/subclass`: the class's identity across machines (lockdep's per-process dependency sites). */
  readonly key: string;
}

/**
 * @internal Where a class was first taken in each interrupt state: the hardirq bits of
 * the kernel's `lock_class->usage_mask` (`LOCK_USED_IN_HARDIRQ`, `LOCK_ENABLED_HARDIRQ`),
 * each with the task and site that set it, for the report. Null until seen.
 */
export interface IrqUsage {
  inHardirq: string | null;
  hardirqOn: string | null;
}

/** A lock as lockdep and reports see it. */
export interface Lockable {
  readonly name: string;
  readonly lockClass: LockClass;
}

/** The first time lockdep saw `from` held while `to` was acquired (a dependency `from -> to`, as `/proc/lockdep` lists them). */
export interface LockEdge {
  readonly from: LockClass;
  readonly to: LockClass;
  readonly task: string;
  readonly held: readonly string[];
  readonly site: string;
}
