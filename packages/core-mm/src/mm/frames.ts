import { SmmuError } from '../kernel/errors.js';

/** Page flags (`enum pageflags`), one bit each in {@link FrameTable.flags}. */
export const PG = {
  locked: 1 << 0,
  referenced: 1 << 1,
  dirty: 1 << 2,
  lru: 1 << 3,
  active: 1 << 4,
  writeback: 1 << 5,
  anon: 1 << 6,
  swapbacked: 1 << 7,
  reserved: 1 << 8,
  mlocked: 1 << 9,
  /** On the allocator's free list (`PageBuddy`). */
  free: 1 << 10,
  swapcache: 1 << 11,
  /** rfc-2008's `PageExternalRmap`: a driver exported it and wants `invalidate_page(page)`. */
  externalRmap: 1 << 12,
  /**
   * `PageAnonExclusive` (v6): this mm alone may map the anonymous page, so a write may
   * reuse it and a pin stays coherent; fork clears it when it COW-shares the page.
   */
  anonExclusive: 1 << 13,
} as const;

/** The bit of {@link PG.locked}: the page lock is a {@link BitLock} on the flags words. */
export const PG_LOCKED_BIT = 0;

/** What a frame's history records (page_owner-style). */
export const FRAME_EVENT = ['alloc', 'free', 'map', 'unmap', 'pin', 'unpin', 'cow', 'dirty'] as const;
export type FrameEvent = (typeof FRAME_EVENT)[number];
const EVENT_CODE = Object.fromEntries(FRAME_EVENT.map((e, i) => [e, i + 1])) as Record<FrameEvent, number>;

/** History slots kept per frame: the most recent events win. */
export const FRAME_HISTORY = 8;

/** One history entry, decoded for a report. */
export interface FrameHistoryEntry {
  readonly event: FrameEvent;
  readonly generation: number;
  readonly task: number;
  readonly time: number;
}

/**
 * Physical frames as struct-of-arrays indexed by pfn — the kernel's `struct page`
 * array (`mem_map`), column by column, so a million frames cost no objects.
 * `generation` is bumped on every free: a `(pfn, generation)` pair that no longer
 * matches is a use-after-free (KASAN-style). `content` is one 32-bit word standing
 * for the page's 4 KiB: enough to tell stale reads and lost writes apart.
 * Difference from the kernel: mapcount starts at 0 (not -1) and pins are counted
 * apart from the refcount's `GUP_PIN_COUNTING_BIAS` (a pin still holds a reference).
 */
export class FrameTable {
  readonly count: number;
  readonly flags: Uint32Array;
  readonly refcount: Int32Array;
  readonly mapcount: Int32Array;
  /** FOLL_PIN pins (`folio_maybe_dma_pinned`); each pin also holds one reference. */
  readonly pincount: Int32Array;
  /** Id of the owning anon_vma ({@link PG.anon} set) or inode; 0 for none. */
  readonly mapping: Int32Array;
  /** Page offset in the file, or the anon linear page index (`page->index`). */
  readonly index: Float64Array;
  readonly lruPrev: Int32Array;
  readonly lruNext: Int32Array;
  readonly generation: Uint32Array;
  readonly content: Uint32Array;
  private readonly historyEvent: Uint8Array;
  private readonly historyGeneration: Uint32Array;
  private readonly historyTask: Int32Array;
  private readonly historyTime: Float64Array;
  private readonly historyNext: Uint8Array;

  constructor(count: number) {
    if (!Number.isSafeInteger(count) || count < 2 || count > 2 ** 24) {
      throw new SmmuError('EINVAL', `memory of ${String(count)} frames: must be an integer from 2 to ${2 ** 24}`);
    }
    this.count = count;
    // One allocation for every column: a machine is built per explored schedule, and
    // each typed array of its own costs an off-heap buffer to allocate and track.
    const columns = new Columns(count);
    this.index = columns.take(Float64Array, count);
    this.historyTime = columns.take(Float64Array, count * FRAME_HISTORY);
    this.flags = columns.take(Uint32Array, count);
    this.refcount = columns.take(Int32Array, count);
    this.mapcount = columns.take(Int32Array, count);
    this.pincount = columns.take(Int32Array, count);
    this.mapping = columns.take(Int32Array, count);
    this.lruPrev = columns.take(Int32Array, count).fill(-1);
    this.lruNext = columns.take(Int32Array, count).fill(-1);
    this.generation = columns.take(Uint32Array, count);
    this.content = columns.take(Uint32Array, count);
    this.historyGeneration = columns.take(Uint32Array, count * FRAME_HISTORY);
    this.historyTask = columns.take(Int32Array, count * FRAME_HISTORY);
    this.historyEvent = columns.take(Uint8Array, count * FRAME_HISTORY);
    this.historyNext = columns.take(Uint8Array, count);
  }

  /** Whether `pfn` names a frame. */
  valid(pfn: number): boolean {
    return Number.isInteger(pfn) && pfn >= 0 && pfn < this.count;
  }

  /** Record an event in the frame's bounded history. */
  record(pfn: number, event: FrameEvent, task: number, time: number): void {
    const slot = pfn * FRAME_HISTORY + this.historyNext[pfn]!;
    this.historyEvent[slot] = EVENT_CODE[event];
    this.historyGeneration[slot] = this.generation[pfn]!;
    this.historyTask[slot] = task;
    this.historyTime[slot] = time;
    this.historyNext[pfn] = (this.historyNext[pfn]! + 1) % FRAME_HISTORY;
  }

  /** The frame's recorded history, oldest first. */
  history(pfn: number): FrameHistoryEntry[] {
    const out: FrameHistoryEntry[] = [];
    for (let i = 0; i < FRAME_HISTORY; i++) {
      const slot = pfn * FRAME_HISTORY + ((this.historyNext[pfn]! + i) % FRAME_HISTORY);
      const e = this.historyEvent[slot]!;
      if (e === 0) continue;
      out.push({ event: FRAME_EVENT[e - 1]!, generation: this.historyGeneration[slot]!, task: this.historyTask[slot]!, time: this.historyTime[slot]! });
    }
    return out;
  }

  /**
   * The frame's state and recorded history, one line each, oldest event first: the
   * details of a report about the frame (`dump_page()`).
   */
  describe(pfn: number): string[] {
    const head = `pfn ${pfn}: flags ${describeFlags(this.flags[pfn]!)}, refcount ${this.refcount[pfn]}, mapcount ${this.mapcount[pfn]}, pincount ${this.pincount[pfn]}, mapping ${this.mapping[pfn]}, index ${this.index[pfn]}, generation ${this.generation[pfn]}`;
    return [head, ...this.history(pfn).map((h) => `  ${h.event} (generation ${h.generation}) by task ${h.task} at ${h.time} ns`)];
  }
}

/** Page flags as `name|name`, or `0`. */
function describeFlags(flags: number): string {
  const names = Object.entries(PG)
    .filter(([, bit]) => (flags & bit) !== 0)
    .map(([name]) => name);
  return names.length === 0 ? '0' : names.join('|');
}

type Column<T> = { new (buffer: ArrayBuffer, byteOffset: number, length: number): T; readonly BYTES_PER_ELEMENT: number };

/** Carves the frame table's columns out of one buffer, widest element first so each stays aligned. */
class Columns {
  private readonly buffer: ArrayBuffer;
  private offset = 0;

  constructor(count: number) {
    const perFrame = 8 + 8 * FRAME_HISTORY + 4 * 9 + 4 * 2 * FRAME_HISTORY + FRAME_HISTORY + 1;
    this.buffer = new ArrayBuffer(perFrame * count);
  }

  take<T>(kind: Column<T>, length: number): T {
    const view = new kind(this.buffer, this.offset, length);
    this.offset += kind.BYTES_PER_ELEMENT * length;
    return view;
  }
}
