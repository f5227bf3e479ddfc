/** What the tree needs of an entry: its `[start, end)`. */
export interface VmaRange {
  readonly start: number;
  readonly end: number;
}

/**
 * An mm's vmas in address order (the kernel's maple tree, as a sorted array: an mm
 * has few vmas and lookups are binary searches).
 */
export class VmaTree<V extends VmaRange> {
  private readonly list: V[] = [];

  /** Number of vmas (`mm->map_count`). */
  get size(): number {
    return this.list.length;
  }

  /** `find_vma()`-like but exact: the vma containing `address`, if any (`vma_lookup`). */
  lookup(address: number): V | undefined {
    const i = this.firstEndingAfter(address);
    const vma = this.list[i];
    return vma !== undefined && vma.start <= address ? vma : undefined;
  }

  /** `find_vma()`: the first vma ending after `address`. */
  findFrom(address: number): V | undefined {
    return this.list[this.firstEndingAfter(address)];
  }

  /** The vmas overlapping `[start, end)`, in order (a copy, safe to mutate the tree while iterating). */
  overlapping(start: number, end: number): V[] {
    const out: V[] = [];
    for (let i = this.firstEndingAfter(start); i < this.list.length && this.list[i]!.start < end; i++) out.push(this.list[i]!);
    return out;
  }

  /** Insert a vma that overlaps no other. */
  insert(vma: V): void {
    const i = this.firstEndingAfter(vma.start);
    this.list.splice(i, 0, vma);
  }

  /** Remove a vma. */
  remove(vma: V): void {
    const i = this.indexOf(vma);
    if (i >= 0) this.list.splice(i, 1);
  }

  /** The vma before `vma` in address order. */
  prev(vma: V): V | undefined {
    const i = this.indexOf(vma);
    return i > 0 ? this.list[i - 1] : undefined;
  }

  /** The vma after `vma` in address order. */
  next(vma: V): V | undefined {
    const i = this.indexOf(vma);
    return i >= 0 ? this.list[i + 1] : undefined;
  }

  /** Position of `vma` by binary search on its start (vmas never overlap). */
  private indexOf(vma: V): number {
    const i = this.firstEndingAfter(vma.start);
    return this.list[i] === vma ? i : -1;
  }

  /** All vmas in order (a copy). */
  all(): V[] {
    return this.list.slice();
  }

  private firstEndingAfter(address: number): number {
    let lo = 0;
    let hi = this.list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.list[mid]!.end <= address) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
