import type { Kernel } from '../kernel/kernel.js';
import { SpinLock } from '../kernel/locks/spinlock.js';
import { FrameTable, PG } from './frames.js';

/** The four evictable LRU lists (`enum lru_list`, without unevictable). */
export const LRU = { inactiveAnon: 0, activeAnon: 1, inactiveFile: 2, activeFile: 3 } as const;
export type LruList = (typeof LRU)[keyof typeof LRU];

/**
 * The LRU lists (`struct lruvec`): doubly linked through the frames' `lruPrev` /
 * `lruNext` columns, newest at the head, scanned from the tail. A frame is on a list
 * when `PG.lru` is set; which list follows from `PG.swapbacked` (anon) and
 * `PG.active`. Adding a new page is lockless, as the kernel's per-CPU batches are, and
 * reclaim isolates a page by its page lock: no operation takes `lruLock` yet. Its place
 * in the lock order (`lruvec->lru_lock`) is documented at the top of `rmap.ts`.
 */
export class LruLists {
  readonly lruLock: SpinLock;
  private readonly frames: FrameTable;
  private readonly head = new Int32Array(4).fill(-1);
  private readonly tail = new Int32Array(4).fill(-1);
  private readonly size = new Int32Array(4);

  constructor(kernel: Kernel, frames: FrameTable) {
    this.frames = frames;
    this.lruLock = new SpinLock(kernel, 'lru_lock');
  }

  /** The list a frame belongs on, from its flags. */
  listOf(pfn: number): LruList {
    const flags = this.frames.flags[pfn]!;
    const file = (flags & PG.swapbacked) === 0 ? 2 : 0;
    return (file + ((flags & PG.active) !== 0 ? 1 : 0)) as LruList;
  }

  /** `folio_add_lru()`: at the head of its list (active when `active`). */
  add(pfn: number, active: boolean): void {
    const f = this.frames;
    if ((f.flags[pfn]! & PG.lru) !== 0) return;
    f.flags[pfn] = (f.flags[pfn]! & ~PG.active) | PG.lru | (active ? PG.active : 0);
    const list = this.listOf(pfn);
    const first = this.head[list]!;
    f.lruPrev[pfn] = -1;
    f.lruNext[pfn] = first;
    if (first >= 0) f.lruPrev[first] = pfn;
    else this.tail[list] = pfn;
    this.head[list] = pfn;
    this.size[list]!++;
  }

  /** `lruvec_del_folio()`: off its list (no-op when not on one). */
  remove(pfn: number): void {
    const f = this.frames;
    if ((f.flags[pfn]! & PG.lru) === 0) return;
    const list = this.listOf(pfn);
    const prev = f.lruPrev[pfn]!;
    const next = f.lruNext[pfn]!;
    if (prev >= 0) f.lruNext[prev] = next;
    else this.head[list] = next;
    if (next >= 0) f.lruPrev[next] = prev;
    else this.tail[list] = prev;
    f.lruPrev[pfn] = -1;
    f.lruNext[pfn] = -1;
    f.flags[pfn] = f.flags[pfn]! & ~PG.lru;
    this.size[list]!--;
  }

  /** Move to the head of the active (`activate`) or inactive list. */
  move(pfn: number, active: boolean): void {
    this.remove(pfn);
    this.add(pfn, active);
  }

  /** Pages on `list`. */
  count(list: LruList): number {
    return this.size[list]!;
  }

  /** The list from its tail (oldest first), as reclaim scans it. */
  oldestFirst(list: LruList): number[] {
    const out: number[] = [];
    for (let pfn = this.tail[list]!; pfn >= 0; pfn = this.frames.lruPrev[pfn]!) out.push(pfn);
    return out;
  }
}
