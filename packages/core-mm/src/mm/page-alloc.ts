import { mightSleep } from '../check/might-sleep.js';
import { SmmuError } from '../errors.js';
import type { Machine } from '../machine.js';
import type { Task } from '../sched/task.js';
import { andThen } from '../util/flow.js';
import { FrameTable, PG } from './frames.js';
import type { Observers } from './observe.js';

/**
 * Allocation flags, reduced to what decides behaviour: whether the allocation may
 * sleep (and so enter reclaim), and its name in reports.
 * - `kernel`: `GFP_KERNEL` — may sleep and reclaim; a driver's ordinary allocation.
 * - `user`: `GFP_HIGHUSER_MOVABLE` — page faults; may sleep and reclaim.
 * - `atomic`: `GFP_ATOMIC` — never sleeps, never reclaims, fails instead.
 */
export type Gfp = 'kernel' | 'user' | 'atomic';

const GFP_NAME: Record<Gfp, string> = { kernel: 'GFP_KERNEL', user: 'GFP_HIGHUSER_MOVABLE', atomic: 'GFP_ATOMIC' };

/** Called when the free list is empty and the allocation may reclaim (step 3 installs kswapd/direct reclaim). */
export type ReclaimHook = (task: Task, gfp: Gfp) => void | Promise<void>;

/**
 * The page allocator: a LIFO free list of pfns (a freed frame is the next one handed
 * out, which makes use-after-free visible quickly). Frame 0 is the shared zero page,
 * reserved. A sleeping allocation checks might-sleep and touches the `fs_reclaim`
 * pseudo-lock (`might_alloc()`), so lockdep learns that the caller's locks nest
 * outside reclaim. Kernel counterpart: `alloc_pages()` / `__free_pages()`,
 * `get_page()` / `put_page()`; difference: no zones, orders or per-cpu lists.
 */
export class PageAllocator {
  /** The shared zero page (`ZERO_PAGE(0)`, `my_zero_pfn`). */
  readonly zeroPfn = 0;
  /** Installed by reclaim: tried once when the free list is empty. */
  reclaim: ReclaimHook | null = null;
  /** Called as a frame is freed, before its flags are reset (the LRU takes it off its list). */
  onFree: ((pfn: number) => void) | null = null;
  /** Called when an allocation leaves fewer than `lowWatermark` frames free (wakes kswapd). */
  onLow: (() => void) | null = null;
  /** The `low` watermark, in frames (0: never). */
  lowWatermark = 0;
  private readonly machine: Machine;
  private readonly frames: FrameTable;
  private readonly observers: Observers;
  private readonly freeList: Int32Array;
  private top = 0;

  constructor(machine: Machine, frames: FrameTable, observers: Observers) {
    this.machine = machine;
    this.frames = frames;
    this.observers = observers;
    this.freeList = new Int32Array(frames.count);
    frames.flags[0] = PG.reserved;
    frames.refcount[0] = 1;
    for (let pfn = frames.count - 1; pfn >= 1; pfn--) {
      frames.flags[pfn] = PG.free;
      this.freeList[this.top++] = pfn;
    }
  }

  /** Frames on the free list. */
  get freeCount(): number {
    return this.top;
  }

  /**
   * `alloc_page(gfp)`: a frame with refcount 1, flags clear, content zero when `zero`
   * (`__GFP_ZERO`, `clear_user_highpage`). ENOMEM when none is left after reclaim.
   */
  alloc(task: Task, gfp: Gfp, zero: boolean): number | Promise<number> {
    if (gfp !== 'atomic') {
      mightSleep(task, 'alloc_pages', GFP_NAME[gfp]);
      if (!task.memalloc) this.machine.fsReclaim.touch(task);
    }
    if (this.top > 0) return this.take(task, zero);
    if (gfp === 'atomic' || task.memalloc || this.reclaim === null) throw this.enomem(gfp);
    return andThen(this.reclaim(task, gfp), () => {
      if (this.top === 0) throw this.enomem(gfp);
      return this.take(task, zero);
    });
  }

  /** `get_page()`. */
  get(pfn: number): void {
    this.frames.refcount[pfn]!++;
  }

  /** `put_page()`: drop a reference; the last one frees the frame. The zero page is never freed. */
  put(task: Task, pfn: number): void {
    const f = this.frames;
    if ((f.flags[pfn]! & PG.reserved) !== 0) return;
    if (--f.refcount[pfn]! === 0) this.free(task, pfn);
  }

  /** Return a frame whose last reference is gone to the free list; its generation moves on. */
  private free(task: Task, pfn: number): void {
    const f = this.frames;
    const generation = f.generation[pfn]!;
    this.onFree?.(pfn);
    f.record(pfn, 'free', task.id, this.machine.clock.now);
    f.generation[pfn] = (generation + 1) >>> 0;
    f.flags[pfn] = PG.free;
    f.mapping[pfn] = 0;
    f.mapcount[pfn] = 0;
    f.pincount[pfn] = 0;
    this.freeList[this.top++] = pfn;
    if (this.observers.active) this.observers.emit({ kind: 'frame-free', pfn, generation, time: this.machine.clock.now });
  }

  private take(task: Task, zero: boolean): number {
    const f = this.frames;
    const pfn = this.freeList[--this.top]!;
    f.flags[pfn] = 0;
    f.refcount[pfn] = 1;
    f.mapcount[pfn] = 0;
    f.pincount[pfn] = 0;
    f.mapping[pfn] = 0;
    f.index[pfn] = 0;
    if (zero) f.content[pfn] = 0;
    f.record(pfn, 'alloc', task.id, this.machine.clock.now);
    if (this.top < this.lowWatermark) this.onLow?.();
    if (this.observers.active) {
      this.observers.emit({ kind: 'frame-alloc', pfn, generation: f.generation[pfn]!, reused: f.generation[pfn]! > 0, time: this.machine.clock.now });
    }
    return pfn;
  }

  private enomem(gfp: Gfp): SmmuError {
    return new SmmuError('ENOMEM', `out of memory: no free frame for alloc_pages(${GFP_NAME[gfp]}) (${this.frames.count - 1} frames in all)`);
  }
}
