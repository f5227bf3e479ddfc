/**
 * `@secondary-mmu/core-mm`: an executable model of Linux memory management, in layers.
 * The concurrency kernel (`Kernel`: tasks, the deterministic scheduler and its
 * strategies, the kernel's locks, the virtual clock, seeded random streams, and the
 * checkers — might-sleep, lockdep-lite — with their violation report) knows nothing of
 * memory. The memory model (frames, page tables, vmas, rmap, faults, reclaim, the
 * secondary-MMU port) stands on it, the `Machine` assembles both, and experiments run
 * on machines.
 *
 * @packageDocumentation
 */

// The concurrency kernel.
export { SmmuError, isSmmuError, type ErrorCode } from './kernel/errors.js';
export { Kernel, type KernelOptions } from './kernel/kernel.js';

export { Task, HELD_READ, HELD_TRYLOCK, type TaskMm, type TaskState, type Waitable } from './kernel/sched/task.js';
export { Scheduler, MODEL_HASH, type DirectOutcome, type RunResult, type ScheduleOptions, type SchedulerContext } from './kernel/sched/scheduler.js';
export type { Strategy, StrategyName } from './kernel/sched/strategy.js';
export { FifoStrategy } from './kernel/sched/fifo.js';
export { RandomStrategy } from './kernel/sched/random.js';
export { PctStrategy } from './kernel/sched/pct.js';
export { ReplayStrategy } from './kernel/sched/replay.js';
export { PREEMPT_CLASSES, DEFAULT_PREEMPT_CLASSES, PREEMPT_BIT, preemptMask, preemptClasses, type PreemptClass } from './kernel/sched/preempt-class.js';
export {
  encodeReplayToken,
  decodeReplayToken,
  ReplayTokenError,
  REPLAY_TOKEN_VERSION,
  type ReplayRecord,
  type ReplayTokenProblem,
} from './kernel/sched/replay-token.js';
export { VirtualClock } from './kernel/sched/clock.js';

export { SpinLock } from './kernel/locks/spinlock.js';
export { Mutex } from './kernel/locks/mutex.js';
export { RwSemaphore } from './kernel/locks/rwsem.js';
export { BitLock } from './kernel/locks/bit-lock.js';
export { WaitQueue } from './kernel/locks/wait-queue.js';
export { Completion } from './kernel/locks/completion.js';
export { Srcu } from './kernel/locks/srcu.js';
export { Rcu } from './kernel/locks/rcu.js';
export { LockdepMap } from './kernel/locks/lockdep-map.js';
export type { LockContext } from './kernel/locks/lock-context.js';

export { mightSleep } from './kernel/check/might-sleep.js';
export { runHardirq, localIrqSave, localIrqRestore } from './kernel/irq.js';
export { Lockdep } from './kernel/check/lockdep.js';
export type { LockClass, LockType, Lockable, LockEdge, IrqUsage } from './kernel/check/lock-class.js';
export { Report, ViolationError, formatViolation, type Violation, type ViolationKind, type ViolationSubject } from './kernel/check/violation.js';
export { captureSite } from './kernel/check/site.js';

export { Rng, RngStreams } from './kernel/util/rng.js';
export { isPromise } from './kernel/util/is-promise.js';
export { andThen, ensure } from './kernel/util/flow.js';
export { brandClass, hasBrand } from './kernel/util/brand.js';
export { closureOver, copyGraph, GraphCopyError, GraphTemplate } from './kernel/util/graph-copy.js';

// The memory model, and the machine that assembles it on the kernel.
export { Machine, type MachineOptions } from './machine.js';
export { ERAS, rmapLocksSpin, type Era } from './mm/era.js';
export { Memory } from './mm/memory.js';
export { MemoryState, type MemoryOptions } from './mm/memory-state.js';
export { Mm, Vma, VM, VM_PROT_MASK, AnonVma, Inode, type AnonVmaChain } from './mm/mm-types.js';
export { EAGAIN, type ExternalRmapPort, type MmuNotifierEvent, type MmuNotifierRange, type SecondaryMmuPort } from './mm/mm-types.js';
export { Process } from './mm/process.js';
export { FrameTable, PG, FRAME_EVENT, FRAME_HISTORY, type FrameEvent, type FrameHistoryEntry } from './mm/frames.js';
export { PageAllocator, type Gfp, type ReclaimHook } from './mm/page-alloc.js';
export { PageTable, PteTable } from './mm/page-table.js';
export { PTE, pteNone, ptePresent, pteWrite, ptePermission, describePte, swapPte, migrationPte, isSwapPte, isMigrationPte, type PtePermission } from './mm/pte.js';
export { PAGE_SIZE, PTRS_PER_TABLE, TASK_SIZE, USER_PAGES, pageNumber, pageAligned, pageAlignUp, checkUserRange } from './mm/layout.js';
export { TLB_FLUSH_ALL } from './mm/notify.js';
export { VmaTree, type VmaRange } from './mm/vma-tree.js';
export { LOCK_ORDER, type LockOrder } from './mm/lock-order.js';
export { RmapLock } from './mm/rmap-lock.js';
export { rmapHits, type RmapHit } from './mm/rmap.js';
export { LruLists, LRU, type LruList } from './mm/lru.js';
export { rmapWalk, type RmapMapping, type RmapVisitor } from './mm/rmap-walk.js';
export { pageReferenced, clearFlushYoung, type AgingCombiner } from './mm/page-referenced.js';
export { deviceWalkerMarkPte } from './mm/device-walk.js';
export { tryToUnmap, type UnmapResult } from './mm/try-to-unmap.js';
export { shrinkPage, type ShrinkOptions } from './mm/vmscan.js';
export { shrinkActivePage, type ShrinkActiveOptions, type ActiveVerdict } from './mm/shrink-active.js';
export { Reclaim, type ReclaimOptions } from './mm/reclaim.js';
export { migratePage, movePages, compact } from './mm/migrate.js';
export { SwapDevice, DEFAULT_SWAP_SLOTS, MAX_SWAP_SLOTS } from './mm/swap-device.js';
export { swapOf, configureSwap } from './mm/swap.js';
export { pageMkclean, writebackLocked, writebackPage, writebackFile, syncAll, exportPage } from './mm/writeback.js';
export { outOfMemory, pickVictim, reapOnce, OOM_REAP_RETRIES, OOM_REAP_INTERVAL_NS, type OomResult } from './mm/oom.js';
export { Observers, type MmEvent, type MmObserver, type PteCause, type ScanVerdict } from './mm/observe.js';
export { mmap, munmap, MAP, PROT, MMAP_BASE, type MmapArgs } from './mm/mmap.js';
export { mprotect } from './mm/mprotect.js';
export { mremap, MREMAP } from './mm/mremap.js';
export { madvise, type MadviseAdvice } from './mm/madvise.js';
export { mlock, munlock } from './mm/mlock.js';
export { fork } from './mm/fork.js';
export { handleMmFault, faultLocked } from './mm/fault.js';
export { VmFault, FAULT_FLAG } from './mm/vm-fault.js';
export { pread, pwrite, ftruncate, fallocatePunchHole, unmapMappingPages } from './mm/file-ops.js';
export {
  getUserPages,
  putPage,
  unpinUserPage,
  hmmRangeFault,
  walkPageTable,
  setPageDirty,
  allocDriverPage,
  freeDriverPage,
  type GupFlags,
  type HmmPfn,
  type PteLookup,
} from './mm/gup.js';
export { verify, stateDigest, type VerifyOptions } from './mm/verify.js';
export { IntervalTree, type IntervalNode } from './mm/interval-tree.js';

// Experiments on machines.
export { agingRounds, YoungBitPort, type AgingRoundsOptions, type AgingRoundsResult } from './experiments/aging-rounds.js';
