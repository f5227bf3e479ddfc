import { PAGE_SIZE } from '@secondary-mmu/core-mm';

/**
 * @internal A map keyed by (mm id, virtual page): one inner map per mm, so lookups
 * allocate nothing and mm ids have no upper bound. Kernel counterpart: none.
 */
export class PageMap<T> {
  private readonly byMm = new Map<number, Map<number, T>>();

  get(mmId: number, address: number): T | undefined {
    return this.byMm.get(mmId)?.get(Math.floor(address / PAGE_SIZE));
  }

  set(mmId: number, address: number, value: T): void {
    let pages = this.byMm.get(mmId);
    if (pages === undefined) this.byMm.set(mmId, (pages = new Map<number, T>()));
    pages.set(Math.floor(address / PAGE_SIZE), value);
  }

  delete(mmId: number, address: number): void {
    const pages = this.byMm.get(mmId);
    if (pages === undefined) return;
    pages.delete(Math.floor(address / PAGE_SIZE));
    if (pages.size === 0) this.byMm.delete(mmId);
  }

  /** The pages of one mm (page number → value), or undefined. */
  pagesOf(mmId: number): ReadonlyMap<number, T> | undefined {
    return this.byMm.get(mmId);
  }
}

/** @internal `0x…` for messages. */
export function hex(n: number): string {
  return `0x${n.toString(16)}`;
}
