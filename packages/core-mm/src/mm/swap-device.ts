import { SmmuError } from '../kernel/errors.js';

/** Slots of the swap device a machine gets unless {@link configureSwap} says otherwise (16 MiB of swap). */
export const DEFAULT_SWAP_SLOTS = 4096;

/** Most slots a device may have (the entry's word is a 32-bit offset; kept well below). */
export const MAX_SWAP_SLOTS = 2 ** 24;

/**
 * One swap device (`struct swap_info_struct`): `slots` page-sized slots, each holding
 * a content word (the page's 4 KiB, as `FrameTable.content` stands for it) and a
 * use count (`swap_map[offset]`): the swap PTEs naming the slot plus, while reclaim
 * writes a page out, the reference of whoever allocated it (the kernel's
 * `SWAP_HAS_CACHE`). A slot is free at count 0. Free slots are handed out LIFO, as the
 * allocator hands out frames, so a slot freed too early is reused — and a stale entry
 * reads someone else's content — at once.
 *
 * Differences from the kernel: one device, no priorities or clusters, no swap header
 * (slot 0 is usable: an entry is recognised by `PTE.swap`, not by a non-zero word), no
 * `SWAP_MAP_MAX` continuation (counts are 32-bit), and I/O completes at once. The swap
 * cache ({@link SwapDevice.cache}) keeps a page from `add_to_swap` until reclaim's
 * `__remove_mapping` or until its last swap entry goes, and leaves it only under the
 * page lock (see `dropSwapEntry`); a swap-in of an uncached slot reads it into a new
 * frame (see `tryToUnmap` and `doSwapPage`).
 */
export class SwapDevice {
  readonly slots: number;
  /** The content word stored in each slot (`swap_writepage` / `swap_read_folio`). */
  readonly content: Uint32Array;
  /** `swap_map`: swap PTEs + the allocator's reference per slot; 0 = free. */
  readonly count: Int32Array;
  private readonly freeList: Int32Array;
  private top = 0;

  constructor(slots: number) {
    if (!Number.isSafeInteger(slots) || slots < 0 || slots > MAX_SWAP_SLOTS) {
      throw new SmmuError('EINVAL', `swap device of ${String(slots)} slots: must be an integer from 0 to ${MAX_SWAP_SLOTS}`);
    }
    this.slots = slots;
    this.content = new Uint32Array(slots);
    this.count = new Int32Array(slots);
    this.freeList = new Int32Array(slots);
    for (let slot = slots - 1; slot >= 0; slot--) this.freeList[this.top++] = slot;
  }

  /** Slots not in use (`nr_swap_pages`). */
  get freeCount(): number {
    return this.top;
  }

  /** Slots in use. */
  get usedCount(): number {
    return this.slots - this.top;
  }

  /** Whether `slot` names a slot in use. */
  inUse(slot: number): boolean {
    return Number.isInteger(slot) && slot >= 0 && slot < this.slots && this.count[slot]! > 0;
  }

  /**
   * `get_swap_page()` / `folio_alloc_swap()`: a free slot with count 1, the caller's
   * reference (`SWAP_HAS_CACHE`), which it drops with {@link SwapDevice.freeSlot} when done; -1
   * when the device is full.
   */
  allocSlot(): number {
    if (this.top === 0) return -1;
    const slot = this.freeList[--this.top]!;
    this.count[slot] = 1;
    return slot;
  }

  /**
   * The swap cache (`swapper_spaces`): slot -> frame, for a page that is both in swap
   * and in memory. The cached page holds one use of its slot (`SWAP_HAS_CACHE`) and the
   * cache holds one reference to the page. A page stays cached while swap entries still
   * name its slot, or while something (a 2008 pin) keeps reclaim from freeing it.
   */
  readonly cache = new Map<number, number>();
  /** The slot of a cached page, by pfn. */
  readonly slotOfPage = new Map<number, number>();

  /** `swap_duplicate()`: one more swap PTE names `slot` (fork, swap-out of another mapping). EINVAL for a slot not in use. */
  dupSlot(slot: number): void {
    this.check('swap_duplicate', slot);
    this.count[slot]!++;
  }

  /** `swap_free()`: one use of `slot` fewer; at 0 the slot is free. EINVAL for a slot not in use. */
  freeSlot(slot: number): void {
    this.check('swap_free', slot);
    if (--this.count[slot]! === 0) this.freeList[this.top++] = slot;
  }

  /** `swap_read_folio()`: the content word stored in `slot`. EINVAL for a slot not in use. */
  read(slot: number): number {
    this.check('swap_read', slot);
    return this.content[slot]!;
  }

  /** `swap_writepage()`: store `word` in `slot`. EINVAL for a slot not in use. */
  write(slot: number, word: number): void {
    this.check('swap_writepage', slot);
    this.content[slot] = word;
  }

  /** @internal The free list holds exactly the slots with count 0, each once (for `verify`). */
  freeListConsistent(): boolean {
    const seen = new Uint8Array(this.slots);
    for (let k = 0; k < this.top; k++) {
      const slot = this.freeList[k]!;
      if (seen[slot] !== 0 || this.count[slot] !== 0) return false;
      seen[slot] = 1;
    }
    let free = 0;
    for (let slot = 0; slot < this.slots; slot++) if (this.count[slot] === 0) free++;
    return free === this.top;
  }

  private check(what: string, slot: number): void {
    if (!this.inUse(slot)) {
      throw new SmmuError('EINVAL', `${what}: swap slot ${String(slot)} is not in use (${this.slots} slots${Number.isInteger(slot) && slot >= 0 && slot < this.slots ? ', count 0' : ''})`);
    }
  }
}
