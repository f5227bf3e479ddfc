import { mightSleep } from '../kernel/check/might-sleep.js';
import { SmmuError } from '../kernel/errors.js';
import type { Kernel } from '../kernel/kernel.js';
import type { LockdepMap } from '../kernel/locks/lockdep-map.js';
import type { Task } from '../kernel/sched/task.js';
import { andThen } from '../kernel/util/flow.js';
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
 * outside reclaim. `get` and `put` check the frame still has a reference (`bad-page`
 * violations: a reference raised from 0, a double free), and neither corrupts the
 * allocator when they find one. Kernel counterpart: `alloc_pages()` / `__free_pages()`,
 * `get_page()` / `put_page()`, `bad_page()`; difference: no zones, orders or per-cpu lists.
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
  private readonly kernel: Kernel;
  private readonly fsReclaim: LockdepMap;
  private readonly frames: FrameTable;
  private readonly observers: Observers;
  private readonly freeList: Int32Array;
  private top = 0;

  constructor(kernel: Kernel, fsReclaim: LockdepMap, frames: FrameTable, observers: Observers) {
    this.kernel = kernel;
    this.fsReclaim = fsReclaim;
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
      if (!task.memalloc) this.fsReclaim.touch(task);
    }
    if (this.top > 0) return this.take(task, zero);
    if (gfp === 'atomic' || task.memalloc || this.reclaim === null) throw this.enomem(gfp);
    return andThen(this.reclaim(task, gfp), () => {
      if (this.top === 0) throw this.enomem(gfp);
      return this.take(task, zero);
    });
  }

  /**
   * `get_page()`: the caller already holds a reference (a mapping, the page cache, its own).
   * A frame with no reference left — flagged free, or at refcount 0 or below — is a
   * `bad-page` violation, the kernel's `VM_BUG_ON_FOLIO(folio_ref_zero_or_close_to_overflow(folio))`
   * in `folio_get()`: the caller found the page without holding a reference and lost the
   * race with its last put (it needed {@link tryGet}). After the report (unless a strict
   * machine threw, leaving everything as it was) the model stays consistent:
   *
   * - a free frame is taken off the free list and handed to the caller with refcount 1,
   *   as if just allocated (an `alloc` in its history, a `frame-alloc` event), so the
   *   caller's matching put frees it once and nothing else is handed the frame meanwhile.
   *   Raising the count of a frame left on the free list — what the kernel does without
   *   DEBUG_VM — would make that put free it a second time;
   * - a frame at refcount 0 or below that is not flagged free (being freed, or a
   *   corrupted count) is left alone: no reference is taken, and the caller's put is
   *   reported in turn.
   *
   * Cost on the hot path: two typed-array reads and their compares, no allocation.
   */
  get(pfn: number): void {
    const f = this.frames;
    if (f.refcount[pfn]! <= 0 || (f.flags[pfn]! & PG.free) !== 0) {
      this.badGet(pfn);
      return;
    }
    f.refcount[pfn]!++;
  }

  /**
   * `folio_try_get()` / `get_page_unless_zero()`: a reference to a frame found without
   * holding one (by pfn, off the LRU), only if it is still in use. False for a free frame:
   * its last reference is gone, and raising the count from 0 would resurrect it, so the
   * next `put` would free it a second time.
   */
  tryGet(pfn: number): boolean {
    const f = this.frames;
    if (f.refcount[pfn]! <= 0 || (f.flags[pfn]! & PG.free) !== 0) return false;
    f.refcount[pfn]!++;
    return true;
  }

  /**
   * `put_page()`: drop a reference; the last one frees the frame. The zero page (any
   * reserved frame) is never freed. A put on a frame flagged free or at refcount 0 or
   * below is a `bad-page` violation — a double free, the kernel's
   * `VM_BUG_ON_PAGE(page_ref_count(page) == 0)` in `put_page_testzero()` and `bad_page()`
   * in `free_pages_prepare()` — and is refused after the report: the count is left as it
   * is and the frame is not pushed onto the free list again (the kernel, too, leaks a
   * bad page rather than free it). This is the allocator's only free path.
   *
   * Cost on the hot path: the same two typed-array reads as before, one more compare.
   */
  put(task: Task, pfn: number): void {
    const f = this.frames;
    const flags = f.flags[pfn]!;
    const count = f.refcount[pfn]!;
    if ((flags & (PG.reserved | PG.free)) !== 0 || count <= 0) {
      if ((flags & PG.reserved) === 0) this.bad(task, pfn, 'put_page', `refused: the count is left as it is${(flags & PG.free) !== 0 ? ' and the frame is not freed a second time' : ''}`);
      return;
    }
    f.refcount[pfn] = count - 1;
    if (count === 1) this.free(task, pfn);
  }

  /** {@link get} of a frame with no reference left: report, then keep the model consistent. */
  private badGet(pfn: number): void {
    const f = this.frames;
    const task = this.kernel.sched.current;
    const free = (f.flags[pfn]! & PG.free) !== 0;
    this.bad(task, pfn, 'get_page', free ? 'taken off the free list and handed to the caller with refcount 1, so that its put frees the frame once' : 'refused: no reference taken');
    if (!free) return;
    // Off the free list, keeping the others' order (LIFO: a freshly freed frame is near the top).
    for (let k = this.top - 1; k >= 0; k--) {
      if (this.freeList[k] !== pfn) continue;
      this.freeList.copyWithin(k, k + 1, this.top);
      this.top--;
      break;
    }
    f.flags[pfn] = 0;
    f.refcount[pfn] = 1;
    f.mapcount[pfn] = 0;
    f.pincount[pfn] = 0;
    f.mapping[pfn] = 0;
    f.index[pfn] = 0;
    f.record(pfn, 'alloc', task?.id ?? -1, this.kernel.clock.now);
    if (this.observers.active) {
      this.observers.emit({ kind: 'frame-alloc', pfn, generation: f.generation[pfn]!, reused: f.generation[pfn]! > 0, time: this.kernel.clock.now });
    }
  }

  /**
   * Report a `bad-page` violation ("BUG: Bad page state"): `op` on a frame with no
   * reference left, what the model does about it, and the frame's state and history.
   * May throw on a strict machine, before anything changed.
   */
  private bad(task: Task | null, pfn: number, op: 'get_page' | 'put_page', outcome: string): void {
    const f = this.frames;
    const free = (f.flags[pfn]! & PG.free) !== 0;
    const state = `refcount ${f.refcount[pfn]}${free ? ', flagged free' : ''}`;
    const what = op === 'get_page' ? 'a reference taken on a page whose last reference is gone' : 'a double free';
    this.kernel.reportViolation(task, 'bad-page', `bad page state: ${op}(pfn ${pfn}) with ${state}: ${what}; ${outcome}`, f.describe(pfn));
  }

  /** Return a frame whose last reference is gone to the free list; its generation moves on. */
  private free(task: Task, pfn: number): void {
    const f = this.frames;
    const generation = f.generation[pfn]!;
    this.onFree?.(pfn);
    f.record(pfn, 'free', task.id, this.kernel.clock.now);
    f.generation[pfn] = (generation + 1) >>> 0;
    f.flags[pfn] = PG.free;
    f.mapping[pfn] = 0;
    f.mapcount[pfn] = 0;
    f.pincount[pfn] = 0;
    this.freeList[this.top++] = pfn;
    if (this.observers.active) this.observers.emit({ kind: 'frame-free', pfn, generation, time: this.kernel.clock.now });
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
    f.record(pfn, 'alloc', task.id, this.kernel.clock.now);
    if (this.top < this.lowWatermark) this.onLow?.();
    if (this.observers.active) {
      this.observers.emit({ kind: 'frame-alloc', pfn, generation: f.generation[pfn]!, reused: f.generation[pfn]! > 0, time: this.kernel.clock.now });
    }
    return pfn;
  }

  private enomem(gfp: Gfp): SmmuError {
    return new SmmuError('ENOMEM', `out of memory: no free frame for alloc_pages(${GFP_NAME[gfp]}) (${this.frames.count - 1} frames in all)`);
  }
}
