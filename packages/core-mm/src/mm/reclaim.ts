import type { Task } from '../kernel/sched/task.js';
import { WaitQueue } from '../kernel/locks/wait-queue.js';
import { andThen, ensure } from '../kernel/util/flow.js';
import { LRU, type LruList } from './lru.js';
import type { MemoryState } from './memory-state.js';
import type { Gfp } from './page-alloc.js';
import type { AgingCombiner } from './page-referenced.js';
import { outOfMemory, type OomResult } from './oom.js';
import { shrinkActivePage } from './shrink-active.js';
import { shrinkPage } from './vmscan.js';

/** Reclaim's knobs: watermarks in frames and the aging combiner. */
export interface ReclaimOptions {
  /** kswapd wakes when free frames fall below this (`low` watermark). Default: 1/16 of memory, at least 2. */
  readonly low?: number;
  /** kswapd and direct reclaim stop once this many frames are free (`high`). Default: 2 × low. */
  readonly high?: number;
  /** How aging combines the primary young bit with the secondary hook (default `'or'`). */
  readonly combiner?: AgingCombiner;
  /** Pages examined per batch before giving up on a pass (`SWAP_CLUSTER_MAX`-like; default 32). */
  readonly batch?: number;
  /** Kill a process when reclaim frees nothing (default true). */
  readonly oom?: boolean;
}

/**
 * Memory pressure: the allocator's reclaim hook (direct reclaim) and a kswapd daemon,
 * both shrinking the LRU lists — `shrink_inactive_list` (each page through
 * {@link shrinkPage}: referenced pages are activated, unreferenced ones unmapped and
 * freed) and `shrink_active_list` (pages move from the active tail to the inactive
 * list; in the 2008 eras a mapped page still referenced stays active, as 2.6.2x did).
 */
export class Reclaim {
  readonly low: number;
  readonly high: number;
  readonly combiner: AgingCombiner;
  private readonly batch: number;
  private readonly mem: MemoryState;
  private readonly kswapdWait: WaitQueue;
  private kswapd: Task | null = null;
  private readonly oom: boolean;
  /** OOM kills so far. */
  readonly kills: OomResult[] = [];

  constructor(mem: MemoryState, options: ReclaimOptions = {}) {
    this.mem = mem;
    const frames = mem.frames.count;
    this.low = options.low ?? Math.max(2, Math.floor(frames / 16));
    this.high = options.high ?? 2 * this.low;
    this.combiner = options.combiner ?? 'or';
    this.batch = options.batch ?? 32;
    this.oom = options.oom ?? true;
    this.kswapdWait = new WaitQueue(mem.kernel, 'kswapd_wait');
    mem.allocator.reclaim = (task, gfp) => this.direct(task, gfp);
    mem.allocator.onLow = () => this.kswapdWait.wakeUp();
    mem.allocator.lowWatermark = this.low;
  }

  /**
   * Start kswapd: a daemon task that sleeps on `kswapd_wait` until free memory falls
   * below `low`, then reclaims up to `high`.
   */
  startKswapd(): Task {
    if (this.kswapd !== null) return this.kswapd;
    const mem = this.mem;
    this.kswapd = mem.kernel.sched.spawn(
      'kswapd0',
      async (t) => {
        for (;;) {
          await this.kswapdWait.waitEvent(t, () => mem.allocator.freeCount < this.low);
          const r = this.shrink(t, this.high);
          if (r instanceof Promise) await r;
        }
      },
      { daemon: true },
    );
    return this.kswapd;
  }

  /**
   * Direct reclaim (`try_to_free_pages`) for an allocation that found no free frame;
   * if it frees nothing, the OOM killer (`__alloc_pages_may_oom`).
   */
  direct(task: Task, gfp: Gfp): void | Promise<void> {
    void gfp;
    return andThen(this.shrink(task, Math.min(this.high, this.mem.allocator.freeCount + this.batch)), () => {
      if (this.mem.allocator.freeCount > 0 || !this.oom) return;
      return andThen(outOfMemory(this.mem, task), (result) => {
        if (result.victim !== null) this.kills.push(result);
      });
    });
  }

  /**
   * Shrink the LRU until `target` frames are free or a pass frees nothing: inactive
   * lists first (file, then anon), then refill them from the active lists. Returns the
   * frames freed.
   */
  shrink(task: Task, target: number): number | Promise<number> {
    // Reclaim runs with PF_MEMALLOC and the fs_reclaim pseudo-lock held throughout
    // (__perform_reclaim), notifier calls included.
    if (task.memalloc) return this.shrinkEntered(task, target);
    task.memalloc = true;
    this.mem.fsReclaim.acquire(task);
    return ensure(
      () => this.shrinkEntered(task, target),
      () => {
        this.mem.fsReclaim.release(task);
        task.memalloc = false;
      },
    );
  }

  private shrinkEntered(task: Task, target: number): number | Promise<number> {
    const start = this.mem.allocator.freeCount;
    const pass = (round: number): number | Promise<number> => {
      if (this.mem.allocator.freeCount >= target || round >= 4) return this.mem.allocator.freeCount - start;
      const before = this.mem.allocator.freeCount;
      return andThen(this.shrinkList(task, LRU.inactiveFile, target), () =>
        andThen(this.shrinkList(task, LRU.inactiveAnon, target), () =>
          andThen(this.deactivate(task, LRU.activeFile), (file) =>
            andThen(this.deactivate(task, LRU.activeAnon), (anon) =>
              // No progress: nothing freed and nothing aged onto an inactive list for the next pass.
              this.mem.allocator.freeCount === before && file + anon === 0 && round > 0 ? this.mem.allocator.freeCount - start : pass(round + 1),
            ),
          ),
        ),
      );
    };
    return pass(0);
  }

  /** `shrink_inactive_list`: up to a batch of pages from the tail, each through shrinkPage. */
  private shrinkList(task: Task, list: LruList, target: number): void | Promise<void> {
    const pages = this.mem.lru.oldestFirst(list).slice(0, this.batch);
    const step = (k: number): void | Promise<void> => {
      for (; k < pages.length && this.mem.allocator.freeCount < target; k++) {
        const r = shrinkPage(this.mem, task, pages[k]!, { combiner: this.combiner, writePage: this.mem.era !== 'v6' || task === this.kswapd });
        if (r instanceof Promise) return r.then(() => step(k + 1));
      }
    };
    return step(0);
  }

  /**
   * `shrink_active_list`: age a batch from the active tail, each page through
   * {@link shrinkActivePage}; returns how many pages it deactivated.
   */
  private deactivate(task: Task, list: LruList): number | Promise<number> {
    const pages = this.mem.lru.oldestFirst(list).slice(0, this.batch);
    let moved = 0;
    const step = (k: number): number | Promise<number> => {
      for (; k < pages.length; k++) {
        const r = andThen(shrinkActivePage(this.mem, task, pages[k]!, { combiner: this.combiner }), (verdict) => {
          if (verdict === 'deactivate') moved++;
        });
        if (r instanceof Promise) return r.then(() => step(k + 1));
      }
      return moved;
    };
    return step(0);
  }
}
