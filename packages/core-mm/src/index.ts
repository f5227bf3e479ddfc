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

export { SpinLock } from './locks/spinlock.js';
export { Mutex } from './locks/mutex.js';
export { RwSemaphore } from './locks/rwsem.js';
export { BitLock } from './locks/bit-lock.js';
export { WaitQueue } from './locks/wait-queue.js';
export { Completion } from './locks/completion.js';
export { Srcu } from './locks/srcu.js';
export { Rcu } from './locks/rcu.js';
export { LockdepMap } from './locks/lockdep-map.js';

export { mightSleep } from './check/might-sleep.js';
export { Lockdep, type LockClass, type LockType, type Lockable, type LockEdge } from './check/lockdep.js';
export { Report, ViolationError, formatViolation, type Violation, type ViolationKind } from './check/violation.js';
export { captureSite } from './check/site.js';

export { Rng, RngStreams } from './util/rng.js';
export { isPromise } from './util/is-promise.js';
export { andThen, ensure } from './util/flow.js';

// The primary MMU (step 2, in progress): frames, page tables, vmas, rmap.
export { ERAS, rmapLocksSpin, type Era } from './mm/era.js';
export { Memory, type MemoryOptions } from './mm/memory.js';
export { Mm, Process } from './mm/mm.js';
export { FrameTable, PG, FRAME_EVENT, FRAME_HISTORY, type FrameEvent, type FrameHistoryEntry } from './mm/frames.js';
export { PageAllocator, type Gfp, type ReclaimHook } from './mm/page-alloc.js';
export { PageTable, PteTable } from './mm/page-table.js';
export { PTE, pteNone, ptePresent, pteWrite, ptePermission, describePte, swapPte, migrationPte, isSwapPte, isMigrationPte, type PtePermission } from './mm/pte.js';
export { PAGE_SIZE, PTRS_PER_TABLE, TASK_SIZE, USER_PAGES, pageNumber, pageAligned, pageAlignUp, checkUserRange } from './mm/layout.js';
export { Vma, VM, VM_PROT_MASK, type AnonVmaChain } from './mm/vma.js';
export { VmaTree } from './mm/vma-tree.js';
export { AnonVma } from './mm/anon-vma.js';
export { Inode } from './mm/inode.js';
export { RmapLock } from './mm/rmap-lock.js';
export { rmapHits, type RmapHit } from './mm/rmap.js';
export { LruLists, LRU, type LruList } from './mm/lru.js';
export { rmapWalk, type RmapMapping, type RmapVisitor } from './mm/rmap-walk.js';
export { pageReferenced, clearFlushYoung, type AgingCombiner } from './mm/page-referenced.js';
export { tryToUnmap, type UnmapResult } from './mm/try-to-unmap.js';
export { shrinkPage, type ShrinkOptions } from './mm/vmscan.js';
export { Reclaim, type ReclaimOptions } from './mm/reclaim.js';
export { migratePage, movePages, compact } from './mm/migrate.js';
export { SwapDevice, swapOf, configureSwap, DEFAULT_SWAP_SLOTS, MAX_SWAP_SLOTS } from './mm/swap.js';
export { pageMkclean, writebackLocked, writebackPage, writebackFile, syncAll, exportPage } from './mm/writeback.js';
export { outOfMemory, pickVictim, reapOnce, OOM_REAP_RETRIES, OOM_REAP_INTERVAL_NS, type OomResult } from './mm/oom.js';
export { agingRounds, YoungBitPort, type AgingRoundsOptions, type AgingRoundsResult } from './mm/aging.js';
export { Observers, type MmEvent, type MmObserver, type PteCause, type ScanVerdict } from './mm/observe.js';
export { EAGAIN, type ExternalRmapPort, type MmuNotifierEvent, type MmuNotifierRange, type SecondaryMmuPort } from './mm/port.js';
export { mmap, munmap, MAP, PROT, MMAP_BASE, type MmapArgs } from './mm/mmap.js';
export { mprotect } from './mm/mprotect.js';
export { madvise, type MadviseAdvice } from './mm/madvise.js';
export { mlock, munlock } from './mm/mlock.js';
export { fork } from './mm/fork.js';
export { handleMmFault, faultLocked } from './mm/fault.js';
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
export { IntervalTree, type IntervalNode } from './util/interval-tree.js';
