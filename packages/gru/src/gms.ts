import { PAGE_SIZE, WaitQueue, SpinLock, andThen, ensure, type Machine, type Mm, type Task } from '@secondary-mmu/core-mm';
import { MmuNotifier, type MmuNotifierOps } from '@secondary-mmu/mmu-notifier';
import type { GruContext } from './context.js';
import type { GruTlbStats } from './stats.js';

/**
 * Ranges longer than this many pages are not invalidated page by page: the contexts
 * get a new ASID instead. Kernel counterpart: GRUMAXINVAL, the cap on one TGH
 * invalidate's page count (the model's threshold is smaller).
 */
export const GRU_MAX_INVAL_PAGES = 64;

/** What a flush reaches: a device's contexts and the counters to charge. Kernel counterpart: a chiplet with `gms` in its ASID map. */
export interface GruFlushTarget {
  readonly contexts: readonly GruContext[];
  readonly stats: GruTlbStats;
}

// container_of(subscription, struct gru_mm_struct, ms_notifier)
const byNotifier = new WeakMap<MmuNotifier, GruMmStruct>();

/**
 * The GRU's per-mm notifier state, shared by every GRU device (instance) on the mm:
 * the subscription, the count of range invalidations between start and end, the wait
 * queue the user dropin path sleeps on, `ms_released`, and the ASID lock the flush
 * takes. The flush reaches every context of every device attached to it.
 *
 * Kernel counterpart: `struct gru_mm_struct` (drivers/misc/sgi-gru/grutables.h):
 * `ms_notifier`, `ms_asid_lock`, `ms_range_active`, `ms_wait_queue`, `ms_released`
 * (before 5.4), `ms_refcnt` (before 5.4; `mmu_notifier_get/put` count since).
 */
export class GruMmStruct {
  readonly notifier: MmuNotifier;
  /** `ms_range_active`: range invalidations between their start and their end. */
  rangeActive = 0;
  /** `ms_wait_queue`: the user dropin path waits here for `rangeActive` to reach 0. */
  readonly waitQueue: WaitQueue;
  /** `ms_asid_lock`: serialises flushes (and ASID changes) of the contexts. */
  readonly asidLock: SpinLock;
  /** `ms_released`: `release` ran: the mm is going away, nothing more is dropped in. */
  released = false;
  /** `free_notifier` ran (`v6`): the last put's grace period is over. */
  freed = false;
  /** `ms_refcnt` (2008 eras): devices using this gms. */
  refs = 0;
  /** The devices whose contexts a flush reaches. */
  readonly targets = new Set<GruFlushTarget>();
  private nextAsid = 1;

  constructor(
    readonly machine: Machine,
    readonly mm: Mm,
    ops: MmuNotifierOps,
    name: string,
  ) {
    this.notifier = new MmuNotifier(ops, name);
    this.waitQueue = new WaitQueue(machine, `${name}: ms_wait_queue`);
    this.asidLock = new SpinLock(machine, `${name}: ms_asid_lock`);
    byNotifier.set(this.notifier, this);
  }

  /** The gms a subscription belongs to (`container_of`). */
  static of(subscription: MmuNotifier): GruMmStruct {
    const gms = byNotifier.get(subscription);
    if (gms === undefined) throw new Error(`gru: subscription ${subscription.name} is not a GRU notifier`);
    return gms;
  }

  /** A fresh ASID for a context of this mm. Kernel counterpart: `gru_assign_asid()`. */
  assignAsid(): number {
    return this.nextAsid++;
  }

  /**
   * Flush `[start, end)` from every context of every attached device, under
   * `ms_asid_lock`: a range invalidate of at most {@link GRU_MAX_INVAL_PAGES} pages, else
   * a new ASID for the context. Each bumps the context's flush generation. Never sleeps
   * (a spinlock). Kernel counterpart: `gru_flush_tlb_range()` (`tgh_invalidate()` per
   * chiplet with loaded contexts; `asids->mt_asid = 0` for one without).
   */
  flushTlbRange(task: Task, start: number, end: number): void | Promise<void> {
    return this.flush(task, Math.ceil((end - start) / PAGE_SIZE) > GRU_MAX_INVAL_PAGES, start, end);
  }

  /**
   * Unload every context of every attached device: each gets a new ASID, so nothing of
   * the mm stays reachable through any TLB. Never sleeps. Kernel counterpart: none in
   * the GRU's notifier — `gru_unload_context()` for each context, as the GSEG vma's
   * close does (see `GruRules.releaseFlushes`).
   */
  unloadAll(task: Task): void | Promise<void> {
    return this.flush(task, true, 0, 0);
  }

  private flush(task: Task, wholeAsid: boolean, start: number, end: number): void | Promise<void> {
    return andThen(this.asidLock.lock(task), () =>
      ensure(
        () => {
          for (const target of this.targets) {
            for (const ctx of target.contexts) {
              target.stats.flushes++;
              if (wholeAsid) {
                target.stats.asidDrops++;
                ctx.dropAsid(this.assignAsid());
              } else ctx.invalidateRange(start, end);
            }
          }
        },
        () => this.asidLock.unlock(task),
      ),
    );
  }
}
