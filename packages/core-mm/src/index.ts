/**
 * `@secondary-mmu/core-mm`: an executable model of Linux memory management. This
 * entry point exports the concurrency kernel every later layer runs on: tasks, the
 * deterministic scheduler and its strategies, the kernel's locks, the virtual clock,
 * seeded random streams, and the checkers (might-sleep, lockdep-lite) with their
 * violation report.
 *
 * @packageDocumentation
 */
export { SmmuError, isSmmuError, type ErrorCode } from './errors.js';
export { Machine, type MachineOptions } from './machine.js';

export { Task, HELD_READ, HELD_TRYLOCK, type TaskState, type Waitable } from './sched/task.js';
export { Scheduler, MODEL_HASH, type RunResult, type ScheduleOptions } from './sched/scheduler.js';
export type { Strategy, StrategyName } from './sched/strategy.js';
export { FifoStrategy } from './sched/fifo.js';
export { RandomStrategy } from './sched/random.js';
export { PctStrategy } from './sched/pct.js';
export { ReplayStrategy } from './sched/replay.js';
export { PREEMPT_CLASSES, PREEMPT_BIT, preemptMask, preemptClasses, type PreemptClass } from './sched/preempt-class.js';
export { encodeReplayToken, decodeReplayToken, type ReplayRecord } from './sched/replay-token.js';
export { VirtualClock } from './sched/clock.js';
export { findWaitCycle } from './sched/wait-for.js';

export { SpinLock } from './locks/spinlock.js';
export { Mutex } from './locks/mutex.js';
export { RwSemaphore } from './locks/rwsem.js';
export { BitLock } from './locks/bit-lock.js';
export { WaitQueue } from './locks/wait-queue.js';
export { Completion } from './locks/completion.js';
export { Srcu } from './locks/srcu.js';
export { Rcu } from './locks/rcu.js';
export { GracePeriod } from './locks/grace-period.js';
export { LockdepMap } from './locks/lockdep-map.js';

export { mightSleep } from './check/might-sleep.js';
export { Lockdep, type LockClass, type LockType, type Lockable, type LockEdge } from './check/lockdep.js';
export { Report, ViolationError, formatViolation, type Violation, type ViolationKind } from './check/violation.js';
export { captureSite } from './check/site.js';

export { Rng, RngStreams } from './util/rng.js';
export { isPromise, NEVER } from './util/is-promise.js';
export { digest } from './util/hash.js';
